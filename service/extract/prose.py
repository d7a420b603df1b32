"""Figures stated in sentences: budget, income, expenditure, 三公经费, projects and the
detailed 基本支出 breakdown.

Owns: the keyword → field rules for prose, reading the amount that follows a keyword,
telling budget sentences (年初 / 批复预算) from final ones, attaching 比上年增减 changes to
the 三公 item they follow, and the enumerations after “其中：” / “具体情况为：”. Proposes
``Candidate``s and records; never resolves. Must not read tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.extract.enumerate import inline_items
from service.extract.ground import Grounder
from service.extract.resolve import Candidate
from service.extract.text import Block, sentences
from service.records import ExpenseItem, Value
from service.records.numbers import parse_quantity

# Words allowed between a keyword and its amount (为 / 完成 / 实际完成 / 决算 / 共计 …).
_FILLER = (
    r"(?:\s|为|是|达到|达|了|共计|合计|总计|共|实际完成|完成|实际|支出|决算数?|金额|数|:|：|约)*?"
)
_MONEY_AFTER = re.compile(
    rf"{_FILLER}(?P<q>[-−]?\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|千元|元|万)(?!人|个|件|次))"
)
_PCT_AFTER = re.compile(rf"{_FILLER}(?P<q>\d+(?:\.\d+)?\s*%)")

# (path, keyword) for final figures; order matters only for overlapping keywords (longest
# first at one position is handled by the scanner).
MONEY_RULES: list[tuple[str, str]] = [
    ("budget.total_income", r"总收入|收入合计|收入总计|本年收入|(?<=年)收入(?=实际|完成|为)"),
    (
        "budget.income_general_budget",
        r"一般公共预算(?:财政)?拨款收入|一般(?:公共)?财政拨款收入|公共财政预算拨款(?:收入)?|一般公共预算收入"
        r"|(?<!基金)(?<!基金预算)财政拨款收入",
    ),
    ("budget.income_government_funds", r"政府性基金(?:财政拨款|预算)?(?:拨款)?收入"),
    ("budget.income_superior_subsidy", r"上级补助收入"),
    ("budget.income_business", r"事业收入"),
    ("budget.income_operating", r"经营收入"),
    ("budget.income_affiliated", r"附属单位上缴收入"),
    ("budget.income_non_tax", r"纳入专户管理的非税收入(?:拨款)?"),
    ("budget.income_other", r"其他收入"),
    (
        "budget.total_expenditure",
        r"(?<!项目)(?<!基本)总支出|支出合计|支出总额|本年支出|(?<=部门)支出|(?<=单位)支出",
    ),
    ("budget.basic_expenditure", r"(?<!调减)(?<!调增)基本支出"),
    ("budget.personnel_expenditure", r"人员经费"),
    ("budget.public_expenditure", r"(?:日常)?公用经费"),
    ("budget.project_expenditure", r"项目(?:总)?支出"),
    ("budget.carry_over", r"(?:年末|年底)?(?:总)?结转(?:和|及)?结余(?:资金)?|年底总结余|年末结余"),
]
_INITIAL_BUDGET = re.compile(r"年初(?:部门)?预算(?:收入|数|总额)?|年初批复预算")
_BUDGET_CONTEXT = re.compile(r"年初|批复(?:的)?预算|预算数|预算情况|预算收入|预算支出|预算安排")
_FINAL_CONTEXT = re.compile(r"决算|执行数|实际")
_EXEC_RATE = re.compile(r"(?:预算)?执行率(?:达到|为|达|是|:|：)?\s*(?P<q>\d+(?:\.\d+)?\s*%)")
_ADJUST = re.compile(
    r"(?P<dir>调减|调增|减少|增加)基本支出(?:预算)?\s*(?P<q>\d[\d,]*(?:\.\d+)?\s*万元)"
)

THREE_PUBLIC_ITEMS: list[tuple[str, str]] = [
    ("vehicle", r"公务用车购置(?:及|和)运行(?:维护|维修)?费(?:用)?"),
    ("vehicle_purchase", r"公务用车购置费(?:用)?|公车购置费?"),
    ("vehicle_operation", r"公务用车运行(?:维护|维修)?费(?:用)?|公车运行维护费?"),
    ("vehicle", r"公务用车(?:费用?)?"),
    ("overseas", r"因公出国\s*[(（]?\s*境\s*[)）]?\s*费(?:用)?|因公出国费用?|出国经费|出国费用?"),
    ("reception", r"公务接待费?(?:用)?"),
    ("total", r"[“\"]?三公[”\"]?\s*经费(?:支出)?(?:总额|合计)?"),
]
_TP_RE = re.compile("|".join(f"(?P<tp{i}>{kw})" for i, (_, kw) in enumerate(THREE_PUBLIC_ITEMS)))
_CHANGE = re.compile(
    r"(?:比|较)(?:上年度?|去年|上一年|\s*\d{4}\s*年)(?:同期)?\s*"
    r"(?P<dir>增加|减少|上升|下降|增长|降低)\s*(?P<q>\d[\d,]*(?:\.\d+)?\s*(?:万元|元))"
)
_CHANGE_PCT = re.compile(r"(?P<dir>增加|减少|上升|下降|增长|降低)了?\s*(?P<q>\d+(?:\.\d+)?\s*%)")
_SHARE = re.compile(r"占(?P<whole>基本支出|总支出|支出总额)的?\s*(?P<q>\d+(?:\.\d+)?\s*%)")


@dataclass
class Share:
    """“X占Y的p%”: checked against the figures it names."""

    part_path: str
    whole_path: str
    part: Value
    percent: Value


@dataclass
class ProseOutput:
    candidates: list[Candidate] = field(default_factory=list)
    basic_breakdown: list[ExpenseItem] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)


def _quantity(g: Grounder, text: str, start: int, locator: str) -> Value | None:
    q = parse_quantity(text)
    if q is None:
        return None
    return g.quantity(q, start, locator)


def _read_after(g: Grounder, pos: int, end: int, rx: re.Pattern[str], locator: str) -> Value | None:
    m = rx.match(g.src, pos, min(end, pos + 40))
    if not m:
        return None
    return _quantity(g, m.group("q"), m.start("q"), locator)


class _Scanner:
    def __init__(self, g: Grounder, locator_of) -> None:  # noqa: ANN001
        self.g = g
        self.text = g.src
        self.locator_of = locator_of
        self.out = ProseOutput()
        self._money_rx = [(p, re.compile(kw)) for p, kw in MONEY_RULES]

    def run(self) -> ProseOutput:
        for para in self.g.paragraphs():
            loc = self.locator_of(para.start)
            self._paragraph(para, loc)
        return self.out

    def _paragraph(self, para: Block, loc: str) -> None:
        for sent in sentences(self.text, para.start, para.end):
            budget_ctx = bool(_BUDGET_CONTEXT.search(self.text, sent.start, sent.end)) and not (
                _FINAL_CONTEXT.search(self.text, sent.start, sent.end)
            )
            if budget_ctx:
                self._initial_budget(sent, loc)
            else:
                self._money(sent, loc)
                self._rates(sent, loc)
            self._three_public(sent, loc, budget_ctx)
        self._breakdown(para, loc)

    def _add(self, path: str, value: Value | None) -> None:
        if value is not None:
            self.out.candidates.append(Candidate(path, value, "prose"))

    def _money(self, sent: Block, loc: str) -> None:
        for path, rx in self._money_rx:
            for m in rx.finditer(self.text, sent.start, sent.end):
                v = _read_after(self.g, m.end(), sent.end, _MONEY_AFTER, loc)
                self._add(path, v)
                if v is not None and path in (
                    "budget.personnel_expenditure",
                    "budget.public_expenditure",
                ):
                    self._share(path, v, v.source.span.end if v.source else m.end(), sent, loc)

    def _share(self, path: str, part: Value, pos: int, sent: Block, loc: str) -> None:
        m = _SHARE.match(self.text, pos, sent.end)
        if not m:
            return
        pct = _quantity(self.g, m.group("q"), m.start("q"), loc)
        whole = (
            "budget.basic_expenditure"
            if m.group("whole") == "基本支出"
            else "budget.total_expenditure"
        )
        if pct is not None:
            self.out.shares.append(Share(path, whole, part, pct))

    def _rates(self, sent: Block, loc: str) -> None:
        for m in _EXEC_RATE.finditer(self.text, sent.start, sent.end):
            if "政府采购" in self.text[max(sent.start, m.start() - 6) : m.start()]:
                continue
            self._add("budget.execution_rate", _quantity(self.g, m.group("q"), m.start("q"), loc))
        for m in _ADJUST.finditer(self.text, sent.start, sent.end):
            v = _quantity(self.g, m.group("q"), m.start("q"), loc)
            if v is not None:
                direction = "下降" if m.group("dir") in ("调减", "减少") else "增长"
                self._add(
                    "budget.basic_budget_adjustment", v.model_copy(update={"direction": direction})
                )

    def _initial_budget(self, sent: Block, loc: str) -> None:
        for m in _INITIAL_BUDGET.finditer(self.text, sent.start, sent.end):
            if "三公" in self.text[m.end() : m.end() + 8]:
                continue
            self._add(
                "budget.initial_budget", _read_after(self.g, m.end(), sent.end, _MONEY_AFTER, loc)
            )

    def _three_public(self, sent: Block, loc: str, budget_ctx: bool) -> None:
        events: list[tuple[int, str, re.Match[str]]] = []
        for m in _TP_RE.finditer(self.text, sent.start, sent.end):
            idx = int(next(k for k, v in m.groupdict().items() if v is not None)[2:])
            events.append((m.start(), THREE_PUBLIC_ITEMS[idx][0], m))
        if not events:
            return
        for m in _CHANGE.finditer(self.text, sent.start, sent.end):
            events.append((m.start(), "change", m))
        for m in _CHANGE_PCT.finditer(self.text, sent.start, sent.end):
            events.append((m.start(), "change_pct", m))
        events.sort(key=lambda e: e[0])
        current: str | None = None
        column = "budget" if budget_ctx else "actual"
        for _, kind, m in events:
            if kind in ("change", "change_pct"):
                if current is None or (
                    kind == "change_pct" and m.start() in self._change_spans(sent)
                ):
                    continue
                v = _quantity(self.g, m.group("q"), m.start("q"), loc)
                if v is not None:
                    direction = "下降" if m.group("dir") in ("减少", "下降", "降低") else "增长"
                    v = v.model_copy(update={"direction": direction})
                    self._add(f"three_public.{current}.{kind}", v)
                continue
            current = kind
            v = _read_after(self.g, m.end(), sent.end, _MONEY_AFTER, loc)
            self._add(f"three_public.{kind}.{column}", v)

    def _change_spans(self, sent: Block) -> set[int]:
        """Starts of 增减 words already used by an amount change (“减少1.22万元”)."""
        return {m.start("dir") for m in _CHANGE.finditer(self.text, sent.start, sent.end)}

    def _breakdown(self, para: Block, loc: str) -> None:
        """基本支出 “具体情况…” enumerations: numbered heads and the items under them."""
        text = self.text
        m = re.search(r"基本支出", text[para.start : para.end])
        if m and "具体情况" in text[para.start : para.end]:
            start = para.start + text[para.start : para.end].index("具体情况")
            parent: str | None = None
            for item in inline_items(self.g, start, para.end, loc):
                if item.numbered:
                    parent = str(item.name.value)
                    self.out.basic_breakdown.append(ExpenseItem(name=item.name, amount=item.value))
                elif parent is not None:
                    self.out.basic_breakdown.append(
                        ExpenseItem(name=item.name, amount=item.value, parent=parent)
                    )


def prose_figures(g: Grounder, locator_of) -> ProseOutput:  # noqa: ANN001
    """Every prose figure of the document. ``locator_of(offset)`` names the section."""
    return _Scanner(g, locator_of).run()
