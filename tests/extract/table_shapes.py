"""A shape fuzzer for money, 三公 and project tables: a seed picks a combination of the
ways real reports lay these tables out (header words per column role, column order, 序号 /
备注 / 执行率 columns, the unit's place, two-level headers, items as rows or as columns,
the 公务用车 split, the 合计 row's place, wrapped project names), renders it to one format
(TXT with tabs, runs of spaces, pipes or one cell per line; DOCX with real merges; PDF
ruled or borderless; HTML) and says what the extractor must read from it.

Owns only test helpers: the spec (``Shape``), its rendering and the comparison of an
export with the spec (``mismatches``). Amounts, names and words are ours. Must not use
the synthetic report generator (service/synth): the point is shapes it does not make.
"""

from __future__ import annotations

import html
import io
import random
import unicodedata
from dataclasses import dataclass, field

import docx
import pymupdf

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.ingest.pdfgen import (
    draw_table,
    new_page,
    text_width,
    to_bytes,
    write_lines,
    write_text_table,
)

YEAR = 2023
KINDS = ("money", "tp_rows", "tp_cols", "projects")
FORMATS = (
    "txt_tab", "txt_spaces", "txt_pipes", "txt_cells", "docx", "pdf_ruled", "pdf_borderless", "html"
)  # fmt: skip
WORDS = {
    "budget": (
        "预算数",
        "年初预算",
        "年初预算数",
        "调整后预算",
        "全年预算数",
        "预算安排数",
        "预算金额",
    ),
    "actual": (
        "决算数",
        "实际支出",
        "支出数",
        "执行数",
        "全年执行数",
        "本年决算",
        "本年支出",
        f"{YEAR}年决算",
        "实际完成",
    ),  # fmt: skip
    "previous": (
        "上年决算",
        "上年数",
        "上年同期",
        "上年实际",
        f"{YEAR - 1}年决算",
        f"{YEAR - 1}年",
    ),
    "change": ("增减额", "增减", "比上年增减", "同比增减"),
    "change_pct": ("增减率", "增长率", "同比%"),
}
# The lower words under a period of a two-level header (2023年 over 预算数 | 决算数).
LOWER = {
    "budget": ("预算数", "年初预算", "调整后预算", "预算金额"),
    "actual": ("决算数", "实际支出", "执行数", "支出数"),
    "previous": ("决算数", "实际支出", "支出数"),
}
PERIODS = {"this": (f"{YEAR}年", "本年", "本年度"), "last": (f"{YEAR - 1}年", "上年", "上年度")}
UNIT_AT = ("header", "caption", "title_row", "note", "absent")
ORDERS = ("plain", "previous_first", "budget_last", "shuffled")
VEHICLE = ("whole", "split", "group")
TOTAL_AT = ("first", "last", "absent")
_TP_ITEMS = {
    "overseas": "因公出国（境）费",
    "reception": "公务接待费",
    "vehicle": "公务用车购置及运行维护费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行维护费",
}
_MONEY_ROWS = (  # label, field (None: a line only), parts it sums
    ("收入合计", "budget.total_income"),
    ("财政拨款收入", "budget.income_general_budget"),
    ("其他收入", "budget.income_other"),
    ("支出合计", "budget.total_expenditure"),
    ("基本支出", "budget.basic_expenditure"),
    ("人员经费", "budget.personnel_expenditure"),
    ("公用经费", "budget.public_expenditure"),
    ("项目支出", "budget.project_expenditure"),
)
_PROJECTS = (
    "老旧小区改造配套设施建设专项资金",
    "农村饮水安全巩固提升工程补助",
    "城区道路照明设施维护管理经费",
    "基层便民服务中心信息化建设项目",
    "河道堤防日常巡查养护专项",
)
_LINE_ROLE = {"budget": "budget", "actual": "final", "previous": "previous_final"}

# (row, col, row_span, col_span, text) — as tests/ingest/pdfgen.py draws them
CellSpec = tuple[int, int, int, int, str]


@dataclass
class Shape:
    """One combination of the axes, and the figures its table states."""

    seed: int
    kind: str
    fmt: str
    axes: dict[str, str] = field(default_factory=dict)
    cells: list[CellSpec] = field(default_factory=list)
    n_rows: int = 0
    n_cols: int = 0
    figure_cols: set[int] = field(default_factory=set)
    caption: list[str] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    wrapped: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    # What must be read: dotted path -> value (万元, or % for rates)
    fields: dict[str, float] = field(default_factory=dict)
    lines: dict[str, dict[str, float]] = field(default_factory=dict)
    projects: dict[str, dict[str, float]] = field(default_factory=dict)


# --- figures ---------------------------------------------------------------------------------


def _amount(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high), 2)


def _money_text(value: float, unit: str) -> str:
    """A 万元 figure as the table writes it: 万元 with two decimals (thousands separated
    above 1000), 元 with separators and cents."""
    if unit == "元":
        return f"{round(value * 10000, 2):,.2f}"
    return f"{value:,.2f}" if abs(value) >= 1000 else f"{value:.2f}"


def _pct_text(value: float, bare: bool) -> str:
    return f"{value:.2f}" if bare else f"{value:.2f}%"


# --- the spec --------------------------------------------------------------------------------


def shape_for(seed: int, fmt: str | None = None, kind: str | None = None) -> Shape:
    """The combination seed ``seed`` picks (``fmt`` and ``kind`` fixed when given)."""
    rng = random.Random(f"table-shapes-{seed}")  # a string seed: near seeds far apart
    s = Shape(seed=seed, kind=kind or rng.choice(KINDS), fmt=fmt or rng.choice(FORMATS))
    a = s.axes
    a["kind"], a["fmt"] = s.kind, s.fmt
    a["unit"] = rng.choice(("万元", "元"))
    a["unit_at"] = rng.choice(UNIT_AT if a["unit"] == "万元" else UNIT_AT[:-1])
    a["two_level"] = rng.choice(("no", "yes")) if s.kind != "tp_cols" else "no"
    a["order"] = rng.choice(ORDERS)
    a["serial"] = rng.choice(("no", "yes"))
    a["remark"] = rng.choice(("no", "yes"))
    a["rate"] = rng.choice(("no", "yes")) if s.kind != "tp_cols" else "no"
    a["total_at"] = rng.choice(TOTAL_AT)
    for role, words in WORDS.items():
        a[f"w_{role}"] = rng.choice(words)
    roles = ["actual"]
    if s.kind == "projects":
        roles = ["budget", "actual", *(["previous"] if rng.random() < 0.6 else [])]
    elif s.kind == "money":
        roles = ["budget", "actual", "previous"]
    else:
        roles += [r for r in ("budget", "previous") if rng.random() < 0.7]
        if "previous" in roles:
            roles += [r for r in ("change", "change_pct") if rng.random() < 0.6]
    if a["two_level"] == "yes" and not {"budget", "previous"} <= set(roles):
        a["two_level"] = "no"  # a period over a lone column is no two-level header
    a["roles"] = "+".join(roles)
    if a["two_level"] == "yes":  # the kinds under the periods are the lower words
        for role, words in LOWER.items():
            a[f"w_{role}"] = words[seed % len(words)]
    if s.kind.startswith("tp"):
        a["vehicle"] = rng.choice(VEHICLE if s.kind == "tp_rows" else VEHICLE[:2])
        a["subtotal"] = rng.choice(("no", "yes")) if a["vehicle"] != "whole" else "no"
        a["nil"] = rng.choice(("0.00", "—", "0"))
    if s.kind == "projects":
        a["wrap"] = rng.choice(("no", "yes"))
        a["name_word"] = rng.choice(("项目名称", "专项名称", "项目（资金）名称"))
    if s.kind == "tp_cols":
        _tp_columns(s, rng, roles)
    else:
        _upright(s, rng, roles)
    return s


def _order(rng: random.Random, roles: list[str], order: str) -> list[str]:
    out = list(roles)
    if order == "previous_first" and "previous" in out:
        out.remove("previous")
        out.insert(0, "previous")
    elif order == "budget_last" and "budget" in out:
        out.remove("budget")
        at = max((out.index(r) for r in ("actual", "previous") if r in out), default=0)
        out.insert(at + 1, "budget")
    elif order == "shuffled":
        rng.shuffle(out)
    return out


def _tp_figures(rng: random.Random, nil: bool) -> dict[str, dict[str, float]]:
    """Per 三公 item: actual, budget, previous, change, change_pct (sums consistent)."""
    base = {
        "overseas": 0.0 if nil else _amount(rng, 1, 9),
        "reception": _amount(rng, 1, 12),
        "vehicle_purchase": _amount(rng, 5, 30),
        "vehicle_operation": _amount(rng, 3, 20),
    }
    previous = {k: (0.0 if v == 0 else _amount(rng, 1, 25)) for k, v in base.items()}
    budget = {k: (0.0 if v == 0 else round(v + _amount(rng, 0.1, 3), 2)) for k, v in base.items()}
    out: dict[str, dict[str, float]] = {}
    for key in base:
        out[key] = {"actual": base[key], "budget": budget[key], "previous": previous[key]}

    def add(name: str, parts: tuple[str, ...]) -> None:
        out[name] = {k: round(sum(out[p][k] for p in parts), 2) for k in out[parts[0]]}

    add("vehicle", ("vehicle_purchase", "vehicle_operation"))
    add("total", ("overseas", "reception", "vehicle"))
    for figs in out.values():
        figs["change"] = round(figs["actual"] - figs["previous"], 2)
        if figs["previous"]:
            figs["change_pct"] = round(figs["change"] / figs["previous"] * 100, 2)
    return out


def _header_word(s: Shape, role: str, two_level: bool) -> str:
    a = s.axes
    if role == "rate":
        return "执行率"
    word = a[f"w_{role}"]
    if a["unit_at"] == "header" and role in ("budget", "actual", "previous", "change"):
        word += "（元）" if a["unit"] == "元" else "（万元）"
    return word


def _upright(s: Shape, rng: random.Random, roles: list[str]) -> None:
    """Items as rows: a label column, the value columns, maybe 序号, 执行率, 备注."""
    a = s.axes
    values = _order(rng, roles, a["order"])
    two = a["two_level"] == "yes"
    if two:  # a period's columns stand together
        this = [r for r in values if r in ("budget", "actual")]
        last = [r for r in values if r == "previous"]
        moved = [r for r in values if r not in ("budget", "actual", "previous")]
        values = (last + this if a["order"] == "previous_first" else this + last) + moved
    if a["rate"] == "yes":  # beside the actual, or after the periods' columns
        values.insert(len(values) if two else values.index("actual") + 1, "rate")
    cols = (["serial"] if a["serial"] == "yes" else []) + ["label"]
    if s.kind == "tp_rows" and a["vehicle"] == "group":
        cols.append("sublabel")
    cols += values + (["remark"] if a["remark"] == "yes" else [])
    s.n_cols = len(cols)
    s.figure_cols = {c for c, r in enumerate(cols) if r in WORDS or r == "rate"}
    top = 0
    if a["unit_at"] == "title_row":
        s.cells.append((0, 0, 1, s.n_cols, f"金额单位：{a['unit']}"))
        top = 1
    _upright_header(s, cols, top, two)
    body = top + 1 + two
    rows = _body_rows(s, rng)
    for k in range(len(rows)):
        _upright_row(s, cols, body + k, rows, k)
    s.n_rows = body + len(rows)
    _captions(s)


def _upright_header(s: Shape, cols: list[str], top: int, two: bool) -> None:
    """One header row, or two with the periods over their kinds (the other words merged
    down over both rows)."""
    label_word = s.axes.get("name_word", "项目名称") if s.kind == "projects" else "项目"
    head_rows = 2 if two else 1
    c = 0
    while c < len(cols):
        role = cols[c]
        if two and role in ("budget", "actual", "previous"):
            period = _period_of(role)
            span = 1
            while c + span < len(cols) and _period_of(cols[c + span]) == period:
                span += 1
            s.cells.append((top, c, 1, span, PERIODS[period or "this"][s.seed % 3]))
            for k in range(span):
                s.cells.append((top + 1, c + k, 1, 1, _header_word(s, cols[c + k], True)))
            c += span
            continue
        width = 2 if role == "label" and "sublabel" in cols else 1
        word = {"serial": "序号", "label": label_word, "remark": "备注"}.get(role)
        s.cells.append((top, c, head_rows, width, word or _header_word(s, role, False)))
        c += width


def _upright_row(s: Shape, cols: list[str], r: int, rows: list, k: int) -> None:
    """Body row ``k`` (of ``rows``) at grid row ``r``."""
    label, sub, figs, name_wrap = rows[k]
    for c, role in enumerate(cols):
        text = ""
        if role == "serial":  # the items numbered, the 合计 not
            text = "" if label == "合计" else str(sum(row[0] != "合计" for row in rows[:k]) + 1)
        elif role == "label":
            text = label
            if name_wrap is not None:
                s.wrapped[(r, c)] = name_wrap
            if label == _TP_ITEMS["vehicle"] and sub:  # merged down over its parts
                s.cells.append((r, c, _group_span(rows, k), 1, text))
                continue
        elif role == "sublabel":
            text = sub
        elif role == "remark":
            text = "" if k % 2 else "按计划执行"
        elif role == "rate" and figs.get("budget"):
            text = f"{figs['actual'] / figs['budget'] * 100:.1f}%"
        elif role in figs:
            text = _figure_text(s, role, figs[role])
        if text:
            s.cells.append((r, c, 1, 1, text))


def _period_of(role: str) -> str | None:
    return "this" if role in ("budget", "actual") else "last" if role == "previous" else None


def _figure_text(s: Shape, role: str, value: float) -> str:
    if role == "change_pct":
        return _pct_text(value, bare="%" in s.axes["w_change_pct"])
    if value == 0 and s.kind.startswith("tp"):
        return s.axes["nil"]
    return _money_text(value, s.axes["unit"])


def _body_rows(
    s: Shape, rng: random.Random
) -> list[tuple[str, str, dict[str, float], tuple[str, str] | None]]:
    """(label, sub-label, figures by role, a wrapped label's two parts) per body row; the
    expectations recorded on ``s``."""
    a = s.axes
    roles = a["roles"].split("+")
    out: list[tuple[str, str, dict[str, float], tuple[str, str] | None]] = []
    if s.kind == "money":
        inc_gen, inc_oth = _amount(rng, 300, 900), _amount(rng, 5, 60)
        pers, pub, proj = _amount(rng, 200, 600), _amount(rng, 20, 90), _amount(rng, 30, 300)
        final = {
            "收入合计": inc_gen + inc_oth, "财政拨款收入": inc_gen, "其他收入": inc_oth,
            "支出合计": pers + pub + proj, "基本支出": pers + pub, "人员经费": pers,
            "公用经费": pub, "项目支出": proj,
        }  # fmt: skip
        rows = list(_MONEY_ROWS)
        for label, path in rows:
            figs = {
                "actual": round(final[label], 2),
                "budget": round(final[label] * rng.uniform(1.0, 1.08), 2),
                "previous": round(final[label] * rng.uniform(0.85, 1.1), 2),
            }
            s.fields[path] = figs["actual"]
            s.lines[label] = {_LINE_ROLE[r]: figs[r] for r in roles if r in _LINE_ROLE}
            out.append((label, "", figs, None))
        return out
    if s.kind == "projects":
        names = rng.sample(_PROJECTS, 3)
        total: dict[str, float] = {}
        for name in names:
            figs = {
                "actual": _amount(rng, 5, 200),
                "previous": _amount(rng, 5, 200),
            }
            figs["budget"] = round(figs["actual"] * rng.uniform(1.0, 1.1), 2)
            for k, v in figs.items():
                total[k] = round(total.get(k, 0) + v, 2)
            want = {"amount": figs["actual"], "budget": figs["budget"]}
            if "previous" in roles:
                want["previous"] = figs["previous"]
            s.projects[name] = want
            wrap = (name[:8], name[8:]) if a["wrap"] == "yes" else None
            out.append((name, "", figs, wrap))
        return _with_total(out, total, a["total_at"])
    return _tp_body_rows(s, rng, roles)


def _tp_body_rows(
    s: Shape, rng: random.Random, roles: list[str]
) -> list[tuple[str, str, dict[str, float], tuple[str, str] | None]]:
    """The 三公 items as rows: the 公务用车 parts as 其中 rows or beside a merged group."""
    a = s.axes
    out: list[tuple[str, str, dict[str, float], tuple[str, str] | None]] = []
    figures = _tp_figures(rng, nil=a["nil"] != "0" or rng.random() < 0.5)
    items = ["overseas", "reception"]
    if a["vehicle"] == "whole":
        items.append("vehicle")
    elif a["vehicle"] == "group" and a["subtotal"] == "no":  # 公务用车… over its parts only
        items += ["vehicle_purchase", "vehicle_operation"]
    else:
        items += ["vehicle", "vehicle_purchase", "vehicle_operation"]
    for k, item in enumerate(items):
        figs = figures[item]
        label, sub = _TP_ITEMS[item], ""
        if a["vehicle"] == "split" and item in ("vehicle_purchase", "vehicle_operation"):
            label = "其中：" + label if item == "vehicle_purchase" else label
        if a["vehicle"] == "group" and item.startswith("vehicle"):
            first = items[k - 1] == "reception"
            label = _TP_ITEMS["vehicle"] if first else ""
            sub = {
                "vehicle": "小计",
                "vehicle_purchase": "购置费",
                "vehicle_operation": "运行维护费",
            }[item]
        s.fields.update(_tp_expect(item, figs, roles))
        out.append((label, sub, figs, None))
    if a["total_at"] != "absent":
        s.fields.update(_tp_expect("total", figures["total"], roles))
    return _with_total(out, figures["total"], a["total_at"])


def _group_span(rows: list, k: int) -> int:
    """The rows the merged 公务用车… cell at row ``k`` covers: its own and the parts
    under it (their label empty, a sub-label set)."""
    n = 1
    while k + n < len(rows) and not rows[k + n][0] and rows[k + n][1]:
        n += 1
    return n


def _tp_expect(item: str, figs: dict[str, float], roles: list[str]) -> dict[str, float]:
    return {f"three_public.{item}.{r}": figs[r] for r in roles if r in figs}


def _with_total(rows: list, total: dict[str, float], at: str) -> list:
    if at == "absent":
        return rows
    row = ("合计", "", total, None)
    return [row, *rows] if at == "first" else [*rows, row]


def _tp_columns(s: Shape, rng: random.Random, roles: list[str]) -> None:
    """三公 items as columns, what each row holds down the first column."""
    a = s.axes
    figures = _tp_figures(rng, nil=a["nil"] != "0" or rng.random() < 0.5)
    items = ["overseas", "reception"]
    items += ["vehicle"] if a["vehicle"] == "whole" else (
        ["vehicle"] if a["subtotal"] == "yes" else []
    ) + ["vehicle_purchase", "vehicle_operation"]  # fmt: skip
    if a["total_at"] == "first":
        items.insert(0, "total")
    elif a["total_at"] == "last":
        items.append("total")
    row_roles = _order(rng, roles, a["order"])
    cols = (["serial"] if a["serial"] == "yes" else []) + ["label"] + items
    cols += ["remark"] if a["remark"] == "yes" else []
    s.n_cols = len(cols)
    s.figure_cols = {c for c, r in enumerate(cols) if r in figures}
    top = 0
    if a["unit_at"] == "title_row":
        s.cells.append((0, 0, 1, s.n_cols, f"金额单位：{a['unit']}"))
        top = 1
    split = a["vehicle"] == "split"
    head_rows = 2 if split else 1
    c = 0
    while c < len(cols):
        role = cols[c]
        if split and role in ("vehicle", "vehicle_purchase"):
            parts = [k for k in ("vehicle", "vehicle_purchase", "vehicle_operation") if k in cols]
            s.cells.append((top, c, 1, len(parts), "公务用车购置及运行维护费"))
            for k, part in enumerate(parts):
                word = {
                    "vehicle": "小计",
                    "vehicle_purchase": "购置费",
                    "vehicle_operation": "运行维护费",
                }
                s.cells.append((top + 1, c + k, 1, 1, word[part]))
            c += len(parts)
            continue
        word = {"serial": "序号", "label": "项目", "remark": "备注", "total": "合计"}.get(role)
        s.cells.append((top, c, head_rows, 1, word or _TP_ITEMS[role]))
        c += 1
    body = top + head_rows
    for k, role in enumerate(row_roles):
        r = body + k
        word = _header_word(s, role, False)
        for c, col in enumerate(cols):
            text = {"serial": str(k + 1), "label": word, "remark": ""}.get(col)
            if text is None:
                text = _figure_text(s, role, figures[col][role]) if role in figures[col] else ""
            if text:
                s.cells.append((r, c, 1, 1, text))
    for item in items:
        s.fields.update(_tp_expect(item, figures[item], roles))
    s.n_rows = body + len(row_roles)
    _captions(s)


def _captions(s: Shape) -> None:
    a = s.axes
    title = {
        "money": "表1 部门收支情况表",
        "tp_rows": "表2 “三公”经费支出情况表",
        "tp_cols": "表2 “三公”经费支出情况表",
        "projects": "表3 项目支出情况表",
    }[s.kind]
    s.caption = [title]
    if a["unit_at"] == "caption":
        s.caption.append(f"单位：{a['unit']}")
    elif a["unit_at"] == "note":
        s.note = [f"注：本表金额单位为{a['unit']}。"]


# --- rendering -------------------------------------------------------------------------------

_BEFORE = [
    f"城东区市场监督管理局{YEAR}年度部门整体支出绩效自评报告",
    "一、部门基本情况",
    "本局负责辖区市场主体登记、质量安全监管和消费者权益保护工作。",
    "二、部门整体支出情况",
]
_AFTER = ["三、绩效目标完成情况", "本年度各项重点工作按计划推进，群众满意度较高。"]


def grid_of(s: Shape) -> list[list[str]]:
    """The table as a text grid: a merged cell's text at its top-left, the rest empty."""
    grid = [["" for _ in range(s.n_cols)] for _ in range(s.n_rows)]
    for r, c, _, _, text in s.cells:
        grid[r][c] = text
    return grid


def render(s: Shape) -> tuple[bytes, str]:
    """The document's bytes and its file name."""
    if s.fmt == "docx":
        return _docx(s), "report.docx"
    if s.fmt.startswith("pdf"):
        return _pdf(s), "report.pdf"
    if s.fmt == "html":
        return _html(s).encode(), "report.html"
    return _txt(s).encode(), "report.txt"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _txt_rows(s: Shape) -> list[list[str]]:
    """Grid rows; a wrapped name's tail on a line of its own (as exporters wrap cells)."""
    out = []
    for r, row in enumerate(grid_of(s)):
        wraps = {c: parts for (wr, c), parts in s.wrapped.items() if wr == r}
        if wraps and s.fmt == "txt_spaces":
            head = [wraps[c][0] if c in wraps else t for c, t in enumerate(row)]
            tail = [wraps[c][1] if c in wraps else "" for c in range(len(row))]
            out += [head, tail]
        else:
            out.append(row)
    return out


def _txt(s: Shape) -> str:
    rows = _txt_rows(s)
    if s.fmt == "txt_tab":
        table = ["\t".join(row).rstrip("\t") for row in rows]
    elif s.fmt == "txt_pipes":
        table = ["| " + " | ".join(row) + " |" for row in rows]
    elif s.fmt == "txt_cells":
        table = []
        for row in rows:
            table += ["\t" + t for t in row] + [""]
        table.pop()
    else:  # columns aligned by runs of spaces (figures right-aligned)
        widths = [max(_width(row[c]) for row in rows) for c in range(s.n_cols)]
        table = []
        for row in rows:
            parts = []
            for c, t in enumerate(row):
                pad = " " * (widths[c] - _width(t))
                parts.append(pad + t if c in s.figure_cols else t + pad)
            table.append("    ".join(parts).rstrip())
    lines = [*_BEFORE, *s.caption, *table, *s.note, *_AFTER]
    return "\n".join(lines) + "\n"


def _html(s: Shape) -> str:
    body = []
    covered = set()
    for r, c, rs, cs, _ in s.cells:
        covered |= {(rr, cc) for rr in range(r, r + rs) for cc in range(c, c + cs)} - {(r, c)}
    by_pos = {(r, c): (rs, cs, t) for r, c, rs, cs, t in s.cells}
    for r in range(s.n_rows):
        tds = []
        for c in range(s.n_cols):
            if (r, c) in covered:
                continue
            rs, cs, t = by_pos.get((r, c), (1, 1, ""))
            tds.append(f'<td rowspan="{rs}" colspan="{cs}">{html.escape(t)}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    paras = lambda lines: "".join(f"<p>{html.escape(x)}</p>" for x in lines)  # noqa: E731
    return (
        "<html><head><meta charset='utf-8'></head><body>"
        + paras(_BEFORE + s.caption)
        + "<table border='1'>"
        + "".join(body)
        + "</table>"
        + paras(s.note + _AFTER)
        + "</body></html>"
    )


def _docx(s: Shape) -> bytes:
    d = docx.Document()
    for line in _BEFORE + s.caption:
        d.add_paragraph(line)
    table = d.add_table(rows=s.n_rows, cols=s.n_cols)
    table.style = "Table Grid"
    for r, c, rs, cs, text in s.cells:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text
    for line in s.note + _AFTER:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


_FONT = 9.0


def _pdf(s: Shape) -> bytes:
    grid = grid_of(s)
    cells = []
    for r, c, rs, cs, text in s.cells:
        wrap = s.wrapped.get((r, c))
        cells.append((r, c, rs, cs, "\n".join(wrap) if wrap else text))
    widths = [0.0] * s.n_cols
    for _, c, _, cs, text in cells:
        if cs == 1:
            longest = max((text_width(p, _FONT) for p in text.split("\n")), default=0)
            widths[c] = max(widths[c], longest + 12)
    widths = [max(w, 30.0) for w in widths]
    page_w = max(595.0, sum(widths) + 100)
    doc = pymupdf.open()
    page = new_page(doc, (page_w, 842.0))
    drawn = write_lines(page, _BEFORE + s.caption, y=60)
    y = drawn[-1].rect.y1 + 12
    if s.fmt == "pdf_ruled":
        heights = [
            _FONT
            * 1.3
            * max(1, *(len(t.split("\n")) for (r, _, rs, _, t) in cells if r == row and rs == 1))
            + 8
            for row in range(s.n_rows)
        ]
        table = draw_table(page, 50, y, widths, heights, cells, fontsize=_FONT)
        bottom = table.rect.y1
    else:
        rows = [[t for t in row] for row in grid]
        for (r, c), parts in s.wrapped.items():
            rows[r][c] = "\n".join(parts)
        _, bottom = write_text_table(
            page, 50, y, widths, rows, fontsize=_FONT, right=sorted(s.figure_cols)
        )
    write_lines(page, s.note + _AFTER, y=bottom + 24)
    return to_bytes(doc)


# --- reading and comparing -------------------------------------------------------------------


def read(s: Shape) -> ReportExport:
    data, name = render(s)
    return extract_rules(read_document(data, name)).export


def _get(export: ReportExport, path: str) -> float | None:
    obj: object = export
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    value = getattr(obj, "value", None)
    return float(value) if isinstance(value, (int, float)) else None


def _same(want: float, got: float | None) -> bool:
    return got is not None and abs(want - got) < 1e-6


def _key(text: object) -> str:
    return "".join(str(text).split())


def mismatches(s: Shape, export: ReportExport) -> list[str]:
    """What the export reads differently from the spec, one line each (empty: all read)."""
    out = []
    for path, want in s.fields.items():
        got = _get(export, path)
        if not _same(want, got):
            out.append(f"{path}: want {want} got {got}")
    lines = {_key(line.item.value): line for line in export.budget.lines}
    initial = s.axes["w_budget"].startswith("年初")
    for label, want_line in s.lines.items():
        line = lines.get(_key(label))
        if line is None:
            out.append(f"line {label}: not read")
            continue
        for role, want in want_line.items():
            got_v = getattr(line, role)
            if role == "budget" and got_v is None and initial:
                got_v = line.initial_budget  # 年初预算 alone: the initial budget column
            got = float(got_v.value) if got_v is not None and got_v.value is not None else None
            if not _same(want, got):
                out.append(f"line {label}.{role}: want {want} got {got}")
    projects = {_key(p.name.value): p for p in export.projects}
    for name, want_project in s.projects.items():
        p = projects.get(_key(name))
        if p is None:
            out.append(f"project {name}: not read (read: {sorted(projects)})")
            continue
        for role, want in want_project.items():
            got_v = getattr(p, role)
            got = float(got_v.value) if got_v is not None and got_v.value is not None else None
            if not _same(want, got):
                out.append(f"project {name}.{role}: want {want} got {got}")
    return out


# --- a sample covering every axis value in each format ---------------------------------------


def covering_sample(fmt: str, pool: int = 300) -> list[int]:
    """Few seeds (with ``fmt`` fixed) that together draw every axis value of the first
    ``pool`` seeds at least once: each next seed the one adding most values not drawn yet."""
    drawn = {seed: set(_axis_values(shape_for(seed, fmt))) for seed in range(pool)}
    wanted = set().union(*drawn.values())
    out: list[int] = []
    seen: set[tuple[str, str]] = set()
    while seen < wanted:
        seed = max(drawn, key=lambda k: (len(drawn[k] - seen), -k))
        out.append(seed)
        seen |= drawn.pop(seed)
    return sorted(out)


def _axis_values(s: Shape) -> list[tuple[str, str]]:
    return [(k, v) for k, v in s.axes.items() if k != "roles"]
