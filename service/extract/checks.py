"""Consistency findings over an extracted report.

Owns: the arithmetic checks and their rounding tolerance. Reads a ``ReportExport`` (plus
the share statements prose.py found) and returns ``Finding``s carrying every value
involved with its source. Two statements of one figure that disagree are found by
resolve.py, not here. Must not parse text.

Tolerance (stated once, tested in tests/extract/test_checks.py)
---------------------------------------------------------------
A stated figure is exact to half the unit of its last stated digit: 1059.01 stands for
[1059.005, 1059.015]. Money in 万元 is reported to 0.01, so “53.5” counts as 53.50 (never
more rounding than ±0.005 万元), and a stated 0 is exactly zero. So

* a total and its parts agree when ``|Σ parts − total| ≤ Σ half-units`` of every figure
  in the sum (three parts and a total stated to 0.01 may differ by up to 0.02);
* a percentage agrees with the figures it is computed from when the interval of the ratio
  (interval arithmetic on the figures' half-units) comes within one unit of the stated
  percentage's last digit (a full unit, so that truncation is accepted as well as rounding:
  reports write 99.54% for 99.548%);
* a score may not exceed its weight at all.

Where parts are missing (a field not found), only "the parts exceed the total" can be
concluded, so only that is reported, and as a warning: the part not read (or read into
another field) may be what makes the difference. Only a sum whose total and parts were all
read is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.records import Finding, FindingItem, ReportExport, Value
from service.records.models import BudgetLine, Severity, ThreePublicItem
from service.records.numbers import rounding_tolerance

EPS = 1e-9


@dataclass
class Term:
    path: str
    value: Value


@dataclass
class ShareStatement:
    """“part 占 whole 的 p%”, as stated in prose."""

    part_path: str
    whole_path: str
    part: Value
    percent: Value


def _num(v: Value | None) -> float | None:
    return None if v is None else v.signed


def _hu(v: Value) -> float:
    return rounding_tolerance(v.number, v.unit, v.precision)


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _items(total: Term, parts: Sequence[Term]) -> list[FindingItem]:
    return [FindingItem(path=total.path, label="total", value=total.value)] + [
        FindingItem(path=p.path, label="part", value=p.value) for p in parts
    ]


def check_sum(
    total: Term | None,
    parts: Sequence[Term | None],
    what_zh: str,
    what_en: str,
    complete: bool | None = None,
    under_severity: Severity = "error",
) -> Finding | None:
    """Σ parts == total within the stated tolerance. ``complete`` says whether the parts
    listed are all there are (default: all of ``parts`` were found)."""
    if total is None or _num(total.value) is None:
        return None
    present = [p for p in parts if p is not None and _num(p.value) is not None]
    if len(present) < 1:
        return None
    if complete is None:
        complete = len(present) == len(parts)
    s = sum(_num(p.value) or 0.0 for p in present)
    t = _num(total.value) or 0.0
    tol = _hu(total.value) + sum(_hu(p.value) for p in present)
    over = s > t + tol + EPS
    under = s < t - tol - EPS
    if not (over or (under and complete)):
        return None
    # A part not found (or not read) may hold the difference: then only a warning.
    severity: Severity = ("error" if over else under_severity) if complete else "warning"
    reason_zh, reason_en = (
        (
            "合计与各项均已读到，差额超出各数的舍入容差。",
            "The total and every part were read; the difference exceeds their rounding.",
        )
        if complete
        else (
            "有分项未读到（或不在所列之中），差额可能在其中，故为警告。",
            "A part was not read (or is not listed) and may hold the difference: a warning.",
        )
    )
    return Finding(
        kind="sum_mismatch",
        severity=severity,
        paths=[total.path] + [p.path for p in present],
        message_zh=f"{what_zh}：各项之和 {_fmt(s)} 与合计 {total.value.raw} 不符（差 {_fmt(s - t)}，容差 {_fmt(tol)}）。",
        message_en=f"{what_en}: the parts add up to {_fmt(s)}, not {total.value.raw} "
        f"(off by {_fmt(s - t)}, tolerance {_fmt(tol)}).",
        items=_items(total, present),
        expected=round(s, 6),
        tolerance=round(tol, 6),
        reason_zh=reason_zh,
        reason_en=reason_en,
    )


def ratio_interval(a: Value, b: Value) -> tuple[float, float] | None:
    """[lo, hi] of 100·a/b given each figure's half-unit."""
    na, nb = _num(a), _num(b)
    if na is None or nb is None:
        return None
    ha, hb = _hu(a), _hu(b)
    lo_b, hi_b = abs(nb) - hb, abs(nb) + hb
    if lo_b <= 0:
        return None
    sign = -1.0 if (na < 0) != (nb < 0) else 1.0
    lo_a, hi_a = max(abs(na) - ha, 0.0), abs(na) + ha
    lo, hi = 100 * lo_a / hi_b, 100 * hi_a / lo_b
    return (lo, hi) if sign > 0 else (-hi, -lo)


def check_percent(
    stated: Term | None,
    numerator: Term | None,
    denominator: Term | None,
    what_zh: str,
    what_en: str,
) -> Finding | None:
    if stated is None or numerator is None or denominator is None:
        return None
    p = _num(stated.value)
    interval = ratio_interval(numerator.value, denominator.value)
    if p is None or interval is None:
        return None
    lo, hi = interval
    unit = stated.value.precision or 1.0
    if lo - unit - EPS <= p <= hi + unit + EPS:
        return None
    computed = 100 * (_num(numerator.value) or 0.0) / (_num(denominator.value) or 1.0)
    return Finding(
        kind="percent_mismatch",
        severity="warning",
        paths=[stated.path, numerator.path, denominator.path],
        message_zh=f"{what_zh}：写为 {stated.value.raw}，按 {numerator.value.raw} / {denominator.value.raw} 计算为 {computed:.2f}%。",
        message_en=f"{what_en}: stated {stated.value.raw}, but {numerator.value.raw} / "
        f"{denominator.value.raw} gives {computed:.2f}%.",
        items=[
            FindingItem(path=stated.path, label="stated", value=stated.value),
            FindingItem(path=numerator.path, label="numerator", value=numerator.value),
            FindingItem(path=denominator.path, label="denominator", value=denominator.value),
        ],
        expected=round(computed, 4),
        tolerance=unit,
    )


def _t(path: str, v: Value | None) -> Term | None:
    return None if v is None else Term(path, v)


# --- the checks ---------------------------------------------------------------------------


def _budget_checks(e: ReportExport) -> list[Finding | None]:
    b = e.budget
    bt = lambda name: _t(f"budget.{name}", getattr(b, name))  # noqa: E731
    incomes = [
        "income_general_budget",
        "income_government_funds",
        "income_superior_subsidy",
        "income_business",
        "income_operating",
        "income_affiliated",
        "income_non_tax",
        "income_other",
    ]
    return [
        check_sum(
            bt("basic_expenditure"),
            [bt("personnel_expenditure"), bt("public_expenditure")],
            "基本支出 ≠ 人员经费 + 公用经费",
            "Basic expenditure ≠ personnel + office expenditure",
        ),
        check_sum(
            bt("total_expenditure"),
            [bt("basic_expenditure"), bt("project_expenditure")],
            "支出合计 ≠ 基本支出 + 项目支出",
            "Total expenditure ≠ basic + project expenditure",
        ),
        check_sum(
            bt("total_income"),
            [bt(n) for n in incomes],
            "收入合计 ≠ 各项收入之和",
            "Total income ≠ the sum of income by source",
            complete=False,
        ),
        check_percent(
            bt("execution_rate"),
            bt("full_year_execution"),
            bt("full_year_budget"),
            "预算执行率与全年执行数/全年预算数不符",
            "Execution rate does not match full-year execution / full-year budget",
        ),
    ]


_TP_NAMES = {
    "total": ("三公经费合计", "Three-public total"),
    "overseas": ("因公出国(境)费", "Overseas trips"),
    "reception": ("公务接待费", "Official hospitality"),
    "vehicle": ("公务用车购置及运行维护费", "Official vehicles"),
    "vehicle_purchase": ("公务用车购置费", "Vehicle purchase"),
    "vehicle_operation": ("公务用车运行维护费", "Vehicle running"),
}
_COLUMNS = {
    "actual": ("决算", "actual"),
    "budget": ("预算", "budget"),
    "previous": ("上年", "previous year"),
}


def _three_public_checks(e: ReportExport) -> list[Finding | None]:
    tp = e.three_public
    out: list[Finding | None] = []

    def term(item: str, col: str) -> Term | None:
        return _t(f"three_public.{item}.{col}", getattr(getattr(tp, item), col))

    for col, (zh, en) in _COLUMNS.items():
        vehicle = term("vehicle", col)
        out.append(
            check_sum(
                vehicle,
                [term("vehicle_purchase", col), term("vehicle_operation", col)],
                f"公务用车({zh}) ≠ 购置 + 运行维护",
                f"Vehicles ({en}) ≠ purchase + running",
            )
        )
        if vehicle is None:
            parts = [
                term("overseas", col),
                term("reception", col),
                term("vehicle_purchase", col),
                term("vehicle_operation", col),
            ]
        else:
            parts = [term("overseas", col), term("reception", col), vehicle]
        out.append(
            check_sum(
                term("total", col),
                parts,
                f"三公经费({zh}) ≠ 出国 + 接待 + 公务用车",
                f"Three-public total ({en}) ≠ overseas + hospitality + vehicles",
            )
        )
    for name, (zh, en) in _TP_NAMES.items():
        item: ThreePublicItem = getattr(tp, name)
        out += _change_checks(f"three_public.{name}", item, zh, en)
    return out


def _change_checks(prefix: str, item: ThreePublicItem, zh: str, en: str) -> list[Finding | None]:
    out: list[Finding | None] = []
    actual, previous = _t(f"{prefix}.actual", item.actual), _t(f"{prefix}.previous", item.previous)
    change = _t(f"{prefix}.change", item.change)
    if actual and previous and change:
        # actual = previous + change  ⇔  Σ(previous, change) = actual
        out.append(
            check_sum(
                actual,
                [previous, change],
                f"{zh}：上年 + 增减额 ≠ 本年",
                f"{en}: previous + change ≠ actual",
            )
        )
    pct = _t(f"{prefix}.change_pct", item.change_pct)
    if pct and previous:
        numerator = change
        if numerator is None and actual is not None:
            diff = (_num(actual.value) or 0.0) - (_num(previous.value) or 0.0)
            numerator = Term(
                f"{prefix}.actual-previous",
                Value(
                    value=round(diff, 6),
                    unit=actual.value.unit,
                    raw=f"{actual.value.raw}-{previous.value.raw}",
                    precision=max(actual.value.precision or 0, previous.value.precision or 0)
                    or None,
                ),
            )
        out.append(
            check_percent(
                pct, numerator, previous, f"{zh}增减幅度不符", f"{en}: change % does not match"
            )
        )
    return out


def _line_checks(e: ReportExport) -> list[Finding | None]:
    """基础数据表 columns: 支出总额 = 基本支出 + 项目支出; 项目支出 = its numbered categories."""
    lines = e.budget.lines
    keyed: dict[str, tuple[int, BudgetLine]] = {}
    for i, line in enumerate(lines):
        key = re.sub(
            r"^(?:其中\s*[:：]?)?\s*(?:\d{1,2}\s*[、.])?\s*|[:：\s]+$", "", str(line.item.value)
        )
        keyed.setdefault(key, (i, line))
    out: list[Finding | None] = []
    cols = ("previous_final", "budget", "final")
    names = {c: _column_name(c) for c in cols}  # 上年决算数…, as the reviewer reads them

    def term(i: int, line: BudgetLine, col: str) -> Term | None:
        return _t(f"budget.lines[{i}].{col}", getattr(line, col))

    total = keyed.get("支出总额") or keyed.get("支出合计")
    basic, project = keyed.get("基本支出"), keyed.get("项目支出")
    if total and basic and project:
        for col in cols:
            out.append(
                check_sum(
                    term(*total, col),
                    [term(*basic, col), term(*project, col)],
                    f"基础数据表（{names[col][0]}）：支出总额 ≠ 基本支出 + 项目支出",
                    f"Basic data table ({names[col][1]}): total ≠ basic + project",
                )
            )
    if project:
        pi = project[0]
        cats: list[tuple[int, BudgetLine]] = []
        for j in range(pi + 1, len(lines)):
            label = str(lines[j].item.value)
            if re.match(r"^(?:其中\s*[:：]?)?\s*\d{1,2}\s*[、.]", label):
                cats.append((j, lines[j]))
            elif (
                cats
                and not re.search(r"专项|项目|经费|资金", label)
                or re.search(r"三公|公用经费|人员经费", label)
            ):
                break
        if cats:
            for col in cols:
                parts = [term(j, ln, col) for j, ln in cats]
                out.append(
                    check_sum(
                        term(*project, col),
                        parts,
                        f"基础数据表（{names[col][0]}）：项目支出 ≠ 各类项目之和",
                        f"Basic data table ({names[col][1]}): project expenditure ≠ its categories",
                        complete=False,
                    )
                )
    return out


def _column_name(field: str) -> tuple[str, str]:
    """A 基础数据表 column as people name it (Chinese, English), from the record model's
    description ('上年决算数 previous year's final figure (万元)'), never its field name."""
    description = BudgetLine.model_fields[field].description or field
    return description.split()[0], field.replace("_", " ")


def _project_checks(e: ReportExport) -> list[Finding | None]:
    parts = [_t(f"projects[{i}].amount", p.amount) for i, p in enumerate(e.projects)]
    if not any(parts):
        return []
    return [
        check_sum(
            _t("budget.project_expenditure", e.budget.project_expenditure),
            parts,
            "项目支出 ≠ 所列项目金额之和",
            "Project expenditure ≠ the listed projects",
            under_severity="warning",
        )
    ]


def _breakdown_checks(e: ReportExport) -> list[Finding | None]:
    items = e.budget.basic_breakdown
    heads = [(i, it) for i, it in enumerate(items) if it.parent is None]
    if not heads:
        return []
    out: list[Finding | None] = [
        check_sum(
            _t("budget.basic_expenditure", e.budget.basic_expenditure),
            [_t(f"budget.basic_breakdown[{i}].amount", it.amount) for i, it in heads],
            "基本支出 ≠ 明细各类之和",
            "Basic expenditure ≠ the sum of its breakdown",
        )
    ]
    for i, head in heads:
        children = [(j, it) for j, it in enumerate(items) if it.parent == head.name.value]
        if children:
            out.append(
                check_sum(
                    _t(f"budget.basic_breakdown[{i}].amount", head.amount),
                    [_t(f"budget.basic_breakdown[{j}].amount", it.amount) for j, it in children],
                    f"{head.name.value} ≠ 其明细之和",
                    f"{head.name.value} ≠ the sum of its items",
                )
            )
    return out


def _indicator_checks(e: ReportExport) -> list[Finding | None]:
    out: list[Finding | None] = []
    for i, ind in enumerate(e.indicators):
        w, s = _num(ind.weight), _num(ind.score)
        if w is not None and s is not None and s > w + EPS and ind.weight and ind.score:
            name = ind.level3.value if ind.level3 else f"#{i + 1}"
            out.append(
                Finding(
                    kind="score_exceeds_weight",
                    severity="error",
                    paths=[f"indicators[{i}].score", f"indicators[{i}].weight"],
                    message_zh=f"指标“{name}”得分 {ind.score.raw} 超过分值 {ind.weight.raw}。",
                    message_en=f"Indicator '{name}': score {ind.score.raw} exceeds its weight {ind.weight.raw}.",
                    items=[
                        FindingItem(path=f"indicators[{i}].score", label="score", value=ind.score),
                        FindingItem(
                            path=f"indicators[{i}].weight", label="weight", value=ind.weight
                        ),
                    ],
                )
            )
    out += _group_weight_checks(e)
    total = _t("report.total_score", e.report.total_score)
    scores = [_t(f"indicators[{i}].score", ind.score) for i, ind in enumerate(e.indicators)]
    if total is None or not any(scores):
        return out
    with_budget = scores + [_t("budget.execution_score", e.budget.execution_score)]
    alone = check_sum(
        total, scores, "指标得分之和 ≠ 总分", "Indicator scores do not add up to the total score"
    )
    both = check_sum(
        total,
        with_budget,
        "指标得分(含预算执行得分)之和 ≠ 总分",
        "Indicator scores (with the budget-execution score) do not add up to the total score",
    )
    # Templates differ on whether the total includes the budget-execution score.
    if alone is not None and both is not None:
        out.append(both if e.budget.execution_score is not None else alone)
    return out


_DECLARED = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")


def _group_weight_checks(e: ReportExport) -> list[Finding | None]:
    """“产出指标(50分)”: the weights of its rows add up to the points it declares."""
    groups: dict[int, tuple[Value, list[int]]] = {}
    for i, ind in enumerate(e.indicators):
        if ind.level1 is None or ind.level1.source is None:
            continue
        groups.setdefault(ind.level1.source.span.start, (ind.level1, []))[1].append(i)
    out: list[Finding | None] = []
    for level1, rows in groups.values():
        m = _DECLARED.search(level1.raw)
        if not m:
            continue
        declared = Value(
            value=float(m.group(1)) if "." in m.group(1) else int(m.group(1)),
            unit="分",
            raw=level1.raw,
            precision=1.0 if "." not in m.group(1) else 10 ** -len(m.group(1).split(".")[1]),
            source=level1.source,
        )
        # Points are whole numbers written exactly: no rounding to allow for.
        weights = [_t(f"indicators[{i}].weight", e.indicators[i].weight) for i in rows]
        exact = [Term(t.path, t.value.model_copy(update={"precision": None})) for t in weights if t]
        out.append(
            check_sum(
                Term(
                    f"indicators[{rows[0]}].level1", declared.model_copy(update={"precision": None})
                ),
                exact,
                f"{level1.value}：各指标分值之和 ≠ 标明的 {m.group(1)} 分",
                f"{level1.value}: the weights of its rows do not add up to the {m.group(1)} points it states",
                complete=len(exact) == len(rows),
            )
        )
    return out


def _share_checks(e: ReportExport, shares: Sequence[ShareStatement]) -> list[Finding | None]:
    out: list[Finding | None] = []
    for s in shares:
        whole = getattr(e.budget, s.whole_path.split(".")[-1], None)
        out.append(
            check_percent(
                Term(s.part_path + "#share", s.percent),
                Term(s.part_path, s.part),
                _t(s.whole_path, whole),
                "占比与金额不符",
                "Share does not match the amounts",
            )
        )
    return out


def check_groups() -> tuple[Callable[[ReportExport], list[Finding | None]], ...]:
    """The check groups ``run_checks`` runs over the export, in its order (then the
    shares' checks): settle_checks.py counts findings group by group."""
    return (
        _budget_checks,
        _three_public_checks,
        _line_checks,
        _project_checks,
        _breakdown_checks,
        _indicator_checks,
    )


def run_checks(export: ReportExport, shares: Sequence[ShareStatement] = ()) -> list[Finding]:
    """Every arithmetic finding of ``export`` (conflicts come from resolve.py)."""
    found: list[Finding | None] = []
    for group in check_groups():
        found += group(export)
    found += _share_checks(export, shares)
    return [f for f in found if f is not None]
