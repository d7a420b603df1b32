"""Synthetic reports with known truth: ``make_report(seed, template)``.

Owns the seeded drawing of a department's figures (all sums exact: 基本支出 = 人员经费 +
公用经费, 支出合计 = 基本 + 项目, 三公 = its parts, indicator scores = total score), the
planted contradictions and the truth in the export format (``ReportExport`` without
sources). How the figures are written per template lives in ``service.synth.templates``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from service.records import ReportExport
from service.synth.content import KINDS, MEASURES, PLACES, PROBLEMS, DepartmentKind
from service.synth.figures import Knobs
from service.synth.indicators import IndicatorRow, draw_indicators
from service.synth.spec import ReportSpec

TEMPLATES = ("hunan", "sichuan", "prose_only")
# money lines of the 基础数据表, leaves first; sums are derived
LEAVES = ("personnel", "public")
THREE_PUBLIC_PARTS = ("overseas", "reception", "vehicle_purchase", "vehicle_operation")
# fields a contradiction may be planted in, per template (the prose gets the wrong figure)
PLANTABLE = {
    "hunan": (
        "budget.personnel_expenditure",
        "budget.project_expenditure",
        "three_public.reception.actual",
        "budget.public_expenditure",
    ),
    "sichuan": (
        "budget.personnel_expenditure",
        "budget.basic_expenditure",
        "budget.project_expenditure",
        "budget.public_expenditure",
    ),
    "prose_only": (
        "budget.basic_expenditure",
        "budget.project_expenditure",
        "budget.personnel_expenditure",
    ),
}


@dataclass
class Line:
    """One money line in hundredths of 万元: last year's final, this year's initial and
    full-year budget, this year's final."""

    previous: int
    initial: int
    budget: int
    final: int

    def __add__(self, other: Line) -> Line:
        return Line(
            self.previous + other.previous,
            self.initial + other.initial,
            self.budget + other.budget,
            self.final + other.final,
        )


@dataclass
class Achievement:
    section: str
    sentence: str  # as printed, before the full-width knob
    metrics: list[
        tuple[str, float | int, str, str | None, str | None]
    ]  # name, value, unit, comparator, direction
    money_slots: dict[int, int] = field(default_factory=dict)  # metric index -> cents


@dataclass
class ReportData:
    """Every figure of one synthetic report, before it is written."""

    template: str
    seed: int
    knobs: Knobs
    kind: DepartmentKind
    department: str
    year: int
    budget_code: str
    report_date: dt.date
    authorized: int
    staff: int
    retired: int
    lines: dict[str, Line]  # personnel, public, basic, project, total, and project names
    projects: list[str]
    income_other: int
    carry_over: int
    three: dict[
        str, Line
    ]  # overseas, reception, vehicle_purchase, vehicle_operation, vehicle, total
    indicators: list[IndicatorRow]
    execution_weight: int | None
    achievements: list[Achievement]
    problems: list[tuple[str, str]]
    measures: list[tuple[str, str]]
    planted: dict[str, int] = field(default_factory=dict)  # path -> the wrong figure in prose

    @property
    def total_income(self) -> int:
        return self.lines["total"].final + self.carry_over

    @property
    def execution_rate(self) -> float:
        return round(self.lines["total"].final / self.lines["total"].budget * 100, 2)

    @property
    def execution_score(self) -> float | None:
        if self.execution_weight is None:
            return None
        return (
            float(self.execution_weight)
            if self.execution_rate >= 98
            else self.execution_weight - 1.0
        )

    @property
    def total_score(self) -> float:
        total = sum(row.score for row in self.indicators) + (self.execution_score or 0.0)
        return round(total, 2)

    @property
    def grade(self) -> str:
        s = self.total_score
        return "优" if s >= 90 else "良" if s >= 80 else "中" if s >= 60 else "差"

    def staff_rate(self) -> float:
        return round(self.staff / self.authorized * 100, 2)


class VarietyInfo(BaseModel):
    """What a varied report (``service.synth.variety``) is made of: its layout, its split
    and every variant it uses (ids ``"<family>.<name>"``)."""

    layout: str
    split: str
    variants: tuple[str, ...]
    families: dict[str, tuple[str, ...]]  # family -> the variant names used in it

    def tags(self) -> list[str]:
        """For manifests: the split, the layout and the variants."""
        return [f"split:{self.split}", f"layout:{self.layout}", *self.variants]


class SyntheticReport(BaseModel):
    """A report to render and what a perfect extraction of it returns. ``variety`` is set
    on varied reports only."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    seed: int
    template: str
    knobs: Knobs
    spec: ReportSpec
    truth: ReportExport
    variety: VarietyInfo | None = None

    def truth_json(self) -> str:
        return self.truth.model_dump_json(indent=2, exclude_none=True)


# --- drawing the figures --------------------------------------------------------------------


def _cents(rng: random.Random, low_wan: float, high_wan: float) -> int:
    return int(round(rng.uniform(low_wan, high_wan) * 100))


def _line(rng: random.Random, final: int, prev_spread: float = 0.15) -> Line:
    """A line around ``final``: the budget a little above it, the initial budget below the
    budget, last year's final within ``prev_spread``."""
    budget = final + int(final * rng.uniform(0.0, 0.04))
    initial = int(budget * rng.uniform(0.75, 1.0))
    previous = int(final * rng.uniform(1 - prev_spread, 1 + prev_spread))
    return Line(previous, initial, budget, final)


def _money_lines(
    rng: random.Random, kind: DepartmentKind, staff: int, many_projects: bool
) -> tuple[dict[str, Line], list[str]]:
    lines: dict[str, Line] = {}
    lines["personnel"] = _line(rng, _cents(rng, 11, 17) * staff)
    lines["public"] = _line(rng, int(lines["personnel"].final * rng.uniform(0.12, 0.35)))
    count = rng.randint(5, 7) if many_projects else rng.randint(2, 4)
    names = rng.sample(list(kind.projects), min(count, len(kind.projects)))
    for name in names:
        line = _line(rng, _cents(rng, 5, 420), prev_spread=0.5)
        lines[name] = line
    lines["basic"] = lines["personnel"] + lines["public"]
    project = Line(0, 0, 0, 0)
    for name in names:
        project = project + lines[name]
    lines["project"] = project
    lines["total"] = lines["basic"] + lines["project"]
    return lines, names


def _three_public(rng: random.Random) -> dict[str, Line]:
    def item(low: float, high: float, zero_chance: float) -> Line:
        final = 0 if rng.random() < zero_chance else _cents(rng, low, high)
        previous = 0 if final == 0 and rng.random() < 0.7 else _cents(rng, low, high)
        budget = final + _cents(rng, 0, 0.5) if final else 0
        return Line(previous, budget, budget, final)

    three = {
        "overseas": item(1, 8, 0.8),
        "reception": item(0.3, 3.5, 0.0),
        "vehicle_purchase": item(15, 28, 0.75),
        "vehicle_operation": item(1, 9, 0.0),
    }
    three["vehicle"] = three["vehicle_purchase"] + three["vehicle_operation"]
    three["total"] = three["overseas"] + three["reception"] + three["vehicle"]
    if three["total"].final == three["total"].previous:  # the prose states a change
        three["reception"].previous += 7
        three["total"] = three["overseas"] + three["reception"] + three["vehicle"]
    return three


def _achievements(rng: random.Random, kind: DepartmentKind, approx: bool) -> list[Achievement]:
    out: list[Achievement] = []
    for section, templates in kind.work:
        for template in templates:
            metrics: list[tuple[float | int, str | None]] = []
            slots: dict[int, int] = {}
            for i, count in enumerate(template.metrics):
                comparator = None
                if count.unit == "%":
                    value: float | int = round(
                        rng.uniform(count.low, min(count.high + 0.9, 100)), 1
                    )
                elif i in template.money:
                    cents = _cents(rng, count.low, count.high)
                    if approx and cents >= 10_000 and rng.random() < 0.5:
                        cents, comparator = cents // 100 * 100, "余"  # "罚款270余万元"
                    slots[i] = cents
                    value = cents
                else:
                    value = rng.randint(count.low, count.high)
                    if approx and value >= 100 and rng.random() < 0.6:
                        value = round(value, -1)
                        comparator = rng.choice(["余", "约"])
                metrics.append((value, comparator))
            out.append(
                Achievement(
                    section=section,
                    sentence=template.text,
                    metrics=[
                        (c.name, v, c.unit, comp, "增长" if "增长" in c.name else None)
                        for c, (v, comp) in zip(template.metrics, metrics, strict=True)
                    ],
                    money_slots=slots,
                )
            )
    return out


def _plant(rng: random.Random, data: ReportData, count: int) -> None:
    paths = rng.sample(list(PLANTABLE[data.template]), min(count, len(PLANTABLE[data.template])))
    for path in paths:
        true = _true_cents(data, path)
        delta = max(3, int(true * rng.uniform(0.01, 0.06)))
        data.planted[path] = (
            true + delta if rng.random() < 0.5 or true - delta <= 0 else true - delta
        )


def _true_cents(data: ReportData, path: str) -> int:
    key = {
        "budget.personnel_expenditure": ("lines", "personnel"),
        "budget.public_expenditure": ("lines", "public"),
        "budget.basic_expenditure": ("lines", "basic"),
        "budget.project_expenditure": ("lines", "project"),
        "three_public.reception.actual": ("three", "reception"),
    }[path]
    return getattr(data, key[0])[key[1]].final


def draw_knobs(rng: random.Random, template: str) -> Knobs:
    """Knobs for a report whose caller did not choose them: most reports carry one or two."""
    return Knobs(
        yuan=rng.random() < 0.2,
        fullwidth=rng.random() < 0.2,
        thousands=rng.random() < 0.25,
        long_table=template != "prose_only" and rng.random() < 0.2,
        contradictions=rng.choice([0, 0, 1, 1, 2]),
        approx=rng.random() < 0.5,
    )


def draw_report(seed: int, template: str, knobs: Knobs | None = None) -> ReportData:
    """The figures of report ``seed`` in ``template``; the same arguments, the same figures."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; choose one of {', '.join(TEMPLATES)}")
    rng = random.Random(f"jixiao-synth:{template}:{seed}")
    knobs = knobs if knobs is not None else draw_knobs(rng, template)
    kind = rng.choice(KINDS)
    place = rng.choice(PLACES[template])
    year = rng.randint(2021, 2024)
    authorized = rng.randint(20, 160)
    staff = max(1, authorized - rng.randint(0, 8))
    lines, projects = _money_lines(rng, kind, staff, many_projects=knobs.long_table)
    three = _three_public(rng)
    execution_weight = 10 if template == "hunan" else None
    data = ReportData(
        template=template,
        seed=seed,
        knobs=knobs,
        kind=kind,
        department=place + kind.name,
        year=year,
        budget_code=f"{rng.randint(1, 999999):06d}",
        report_date=dt.date(year + 1, rng.randint(2, 4), rng.randint(1, 28)),
        authorized=authorized,
        staff=staff,
        retired=rng.randint(3, 60),
        lines=lines,
        projects=projects,
        income_other=_cents(rng, 0, 80) if rng.random() < 0.4 else 0,
        carry_over=_cents(rng, 1, 40) if rng.random() < 0.3 else 0,
        three=three,
        indicators=[],
        execution_weight=execution_weight,
        achievements=_achievements(rng, kind, knobs.approx and not knobs.yuan),
        problems=rng.sample(list(PROBLEMS), 3),
        measures=rng.sample(list(MEASURES), 3),
    )
    data.indicators = draw_indicators(rng, data)
    if knobs.contradictions:
        _plant(rng, data, knobs.contradictions)
    return data


def make_report(seed: int, template: str = "hunan", knobs: Knobs | None = None) -> SyntheticReport:
    """Synthetic report ``seed`` in ``template`` ("hunan", "sichuan", "prose_only"), with
    its truth. ``knobs`` None draws the hard cases from the seed."""
    from service.synth.templates import write_report

    data = draw_report(seed, template, knobs)
    spec, truth = write_report(data)
    return SyntheticReport(
        name=f"synth_{template}_{seed:04d}",
        seed=seed,
        template=template,
        knobs=data.knobs,
        spec=spec,
        truth=truth,
    )


def suite(count: int, start_seed: int = 0) -> Iterator[SyntheticReport]:
    """``count`` reports cycling through the templates, with knobs chosen so that every hard
    case appears within the first dozen (then drawn from the seed)."""
    forced = [
        Knobs(),
        Knobs(contradictions=1),
        Knobs(approx=True),
        Knobs(yuan=True, thousands=True),
        Knobs(fullwidth=True, contradictions=2),
        Knobs(long_table=True),
        Knobs(thousands=True, approx=True),
        Knobs(yuan=True, contradictions=1),
        Knobs(fullwidth=True, approx=True),
        Knobs(long_table=True, contradictions=1, thousands=True),
        Knobs(),
        Knobs(yuan=True, fullwidth=True),
    ]
    for i in range(count):
        template = TEMPLATES[i % len(TEMPLATES)]
        knobs = forced[i] if i < len(forced) else None
        if knobs is not None and knobs.long_table and template == "prose_only":
            knobs = knobs.model_copy(update={"long_table": False, "approx": True})
        yield make_report(start_seed + i, template, knobs)
