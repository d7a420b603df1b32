"""The 绩效自评表 of a synthetic report: three-level indicators with targets, actuals,
weights (分值) and scores (得分) that add up.

Owns which indicators a report has and their figures. A row loses points only when its
actual falls short of its target, and then it says why (偏差原因). Weights of a level-1
group sum to the group's points; the writer in ``service.synth.templates`` prints them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from service.records import Value
from service.synth.content import QUALITATIVE_TARGETS, SATISFACTION, TIMELINESS, Count
from service.synth.figures import count_value, percent, text_value

if TYPE_CHECKING:
    from service.synth.reports import ReportData

LEVEL1_ORDER = ("产出指标", "成本指标", "效益指标")
REGIONS = ("城区", "东部片区", "西部片区", "南部片区", "北部片区")
DEVIATIONS = (
    "受项目实施进度影响，部分任务延至次年完成，下一步将加快推进。",
    "受天气等客观因素影响未全部完成，已纳入下年度计划。",
    "部分工作协调难度较大，下一步将加强统筹调度。",
)


@dataclass
class IndicatorRow:
    level1: str
    level2: str
    level3: str
    target: str  # as printed
    actual: str
    target_value: Value
    actual_value: Value
    weight: int
    score: float
    deviation: str = ""

    @property
    def score_text(self) -> str:
        return _points(self.score)


def _points(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _split(total: int, n: int) -> list[int]:
    base, extra = divmod(total, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def _count_row(rng: random.Random, c: Count, short: bool) -> tuple[str, str, Value, Value]:
    target = rng.randint(c.low, c.high)
    target = round(target, -1) if target >= 100 else target
    comparator = rng.choice(["≥", None])
    t_text = f"{comparator or ''}{target}{c.unit}"
    actual = (
        int(target * rng.uniform(0.85, 0.97)) if short else int(target * rng.uniform(1.0, 1.15))
    )
    a_text = f"{actual}{c.unit}"
    return (
        t_text,
        a_text,
        count_value(target, c.unit, t_text, comparator),
        count_value(actual, c.unit, a_text),
    )


def _rate_row(
    rng: random.Random, short: bool, target: int | None = None
) -> tuple[str, str, Value, Value]:
    target = target or rng.choice([90, 95, 98, 100])
    comparator = "≥" if target < 100 else None
    t_text = f"{comparator or ''}{target}%"
    if short:
        actual = round(target - rng.uniform(2, 8), 1)
    else:
        actual = 100.0 if target == 100 else round(rng.uniform(target, 100), 1)
    a_text = percent(actual)
    a_num: float | int = int(actual) if float(actual).is_integer() else actual
    return (
        t_text,
        a_text,
        count_value(target, "%", t_text, comparator),
        count_value(a_num, "%", a_text),
    )


def _text_row(rng: random.Random, short: bool) -> tuple[str, str, Value, Value]:
    target = rng.choice(QUALITATIVE_TARGETS)
    actual = "基本达到" if short else target
    return target, actual, text_value(target), text_value(actual)


def draw_indicators(rng: random.Random, data: ReportData) -> list[IndicatorRow]:
    """The indicator rows of ``data``; a long table when ``data.knobs.long_table``."""
    long = data.knobs.long_table
    kind = data.kind
    plan: list[tuple[str, str, str, str]] = []  # level1, level2, level3, kind of figure
    counts = list(kind.counts) if long else rng.sample(list(kind.counts), 3)
    for c in counts:
        names = [f"{c.name}（{r}）" for r in REGIONS[:3]] if long else [c.name]
        plan += [("产出指标", "数量指标", n, f"count:{c.name}") for n in names]
    rates = list(kind.rates) if long else rng.sample(list(kind.rates), 2)
    plan += [("产出指标", "质量指标", r, "rate") for r in rates]
    timely = list(TIMELINESS) if long else rng.sample(list(TIMELINESS), 1)
    plan += [("产出指标", "时效指标", t, "rate100") for t in timely]
    cost_level1 = "成本指标" if data.template == "sichuan" else "产出指标"
    cost_level2 = "经济成本指标" if data.template == "sichuan" else "成本指标"
    plan += [
        (cost_level1, cost_level2, "预算执行率", "execution"),
        (cost_level1, cost_level2, "“三公”经费控制率", "three"),
    ]
    benefits = list(kind.benefits) if long else rng.sample(list(kind.benefits), 3)
    plan += [("效益指标", b2, b3, "text") for b2, b3 in benefits]
    # 产出, then 成本 (Sichuan's own level-1 group), then 效益; the sort is stable within groups
    plan.sort(key=lambda p: LEVEL1_ORDER.index(p[0]))
    plan += [("满意度指标", "服务对象满意度指标", rng.choice(SATISFACTION), "satisfaction")]

    points = {"产出指标": 50, "效益指标": 30, "满意度指标": 10, "成本指标": 10}
    if data.template == "prose_only":
        points["产出指标"] = 60
    shortfalls = set(rng.sample(range(len(plan)), rng.randint(0, 2)))
    rows: list[IndicatorRow] = []
    for level1 in dict.fromkeys(p[0] for p in plan):
        group = [(i, p) for i, p in enumerate(plan) if p[0] == level1]
        for (i, (l1, l2, l3, what)), weight in zip(
            group, _split(points[level1], len(group)), strict=True
        ):
            rows.append(_row(rng, data, l1, l2, l3, what, weight, i in shortfalls))
    return rows


def _row(
    rng: random.Random,
    data: ReportData,
    l1: str,
    l2: str,
    l3: str,
    what: str,
    weight: int,
    short: bool,
) -> IndicatorRow:
    if what.startswith("count:"):
        count = next(c for c in data.kind.counts if c.name == what[6:])
        t, a, tv, av = _count_row(rng, count, short)
    elif what == "execution":
        t, a = "≥95%", percent(data.execution_rate)
        tv, av = count_value(95, "%", t, "≥"), count_value(data.execution_rate, "%", a)
        short = data.execution_rate < 95
    elif what == "three":
        total = data.three["total"]
        rate = round(total.final / total.budget * 100, 2) if total.budget else 100.0
        t, a = "≤100%", percent(rate)
        tv, av = count_value(100, "%", t, "≤"), count_value(rate, "%", a)
        short = False
    elif what == "text":
        t, a, tv, av = _text_row(rng, short)
    elif what == "satisfaction":
        t, a, tv, av = _rate_row(rng, short, target=90)
    else:  # rate, rate100
        t, a, tv, av = _rate_row(rng, short, target=100 if what == "rate100" else None)
    loss = min(weight, rng.choice([0.5, 1, 1, 2])) if short else 0
    return IndicatorRow(
        level1=l1,
        level2=l2,
        level3=l3,
        target=t,
        actual=a,
        target_value=tv,
        actual_value=av,
        weight=weight,
        score=weight - loss,
        deviation=rng.choice(DEVIATIONS) if short else "",
    )
