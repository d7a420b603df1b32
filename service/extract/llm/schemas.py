"""The LLM-facing response models: thin, quoted variants of the project's records.

Owns: what the model is asked to return per task, the field descriptions it reads (Chinese
first), and the validators whose errors instructor feeds back to the model (units, score ≤
weight, plausible years and dates, percentages in range). Every value carries the exact
text it was read from: a ``quote`` for numbers and prose values, the cell text itself for
table cells (fields marked ``verbatim``). The extractor maps these to ``service.records``;
nothing here knows about spans or documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from service.records import Budget, ThreePublicItem
from service.records.numbers import MONEY_FACTORS, is_blank, parse_date, parse_quantity

VERBATIM = {"verbatim": True}
QUOTE_HELP = "原文中包含该数值的一小段连续文字，逐字照抄，不改字、不加字（约10-40字）"

MONEY_UNITS = tuple(MONEY_FACTORS)
PERCENT_UNITS = ("%", "％", "‰")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Num(_Strict):
    """一个从原文读出的数值。"""

    value: float = Field(description="数值，按原文写法（万元就填万元的数）")
    unit: str | None = Field(None, description="原文单位：万元/元/%/人/件/个…；无单位填null")
    quote: str = Field(description=QUOTE_HELP)

    @field_validator("quote")
    @classmethod
    def _quote_not_empty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("quote 不能为空 / quote must not be empty")
        return v


class Txt(_Strict):
    """一个从原文读出的文字值。"""

    value: str = Field(description="取值")
    quote: str = Field(description="原文中包含该取值的连续文字，逐字照抄")


# --- report metadata ------------------------------------------------------------------------


class ReportAnswer(_Strict):
    """封面与基本情况：部门名称、年度、预算编码、报告日期、评价方式、人员情况。"""

    department: Txt | None = Field(None, description="部门(单位)名称，按原文全称")
    fiscal_year: Num | None = Field(None, description="评价年度（如2021），unit填'年'")
    budget_code: Txt | None = Field(None, description="预算编码（保留前导0）")
    report_date: Txt | None = Field(None, description="报告日期，value写成YYYY-MM-DD")
    evaluation_method: Txt | None = Field(
        None, description="评价方式：勾选(☒/☑/√)的那一项，value为'自评'或'中介机构评价'"
    )
    evaluator: Txt | None = Field(None, description="评价机构（勾选的那一项）")
    authorized: Num | None = Field(None, description="编制数/编制人数（人）")
    actual: Num | None = Field(None, description="在职人数/实有人数（人）")
    retired: Num | None = Field(None, description="退休人数（人）")

    @field_validator("fiscal_year")
    @classmethod
    def _plausible_year(cls, v: Num | None) -> Num | None:
        if v is not None and not (2000 <= v.value <= 2100 and float(v.value).is_integer()):
            raise ValueError(f"评价年度 {v.value} 不合理，应为2000-2100之间的整数年份")
        return v

    @field_validator("report_date")
    @classmethod
    def _iso_date(cls, v: Txt | None) -> Txt | None:
        if v is None:
            return v
        try:
            date = dt.date.fromisoformat(v.value.strip())
        except ValueError:
            date = parse_date(v.value)
            if date is None:
                raise ValueError(f"报告日期 '{v.value}' 不是日期，请写成YYYY-MM-DD") from None
        if not 2000 <= date.year <= 2100:
            raise ValueError(f"报告日期 {date} 的年份不合理")
        return v

    @field_validator("authorized", "actual", "retired")
    @classmethod
    def _headcount(cls, v: Num | None) -> Num | None:
        if v is not None and (v.value < 0 or not float(v.value).is_integer()):
            raise ValueError(f"人数 {v.value} 应为非负整数")
        return v


# --- budget figures -------------------------------------------------------------------------

BUDGET_FIELDS = tuple(
    f"budget.{name}"
    for name, info in Budget.model_fields.items()
    if name not in ("basic_breakdown", "lines")
)
THREE_PUBLIC_ITEMS = (
    "total",
    "overseas",
    "reception",
    "vehicle",
    "vehicle_purchase",
    "vehicle_operation",
)
THREE_PUBLIC_FIELDS = tuple(
    f"three_public.{item}.{col}"
    for item in THREE_PUBLIC_ITEMS
    for col in ThreePublicItem.model_fields
)
STAFFING_FIELDS = ("staffing.authorized", "staffing.actual", "staffing.control_rate")
FIGURE_FIELDS = BUDGET_FIELDS + THREE_PUBLIC_FIELDS + STAFFING_FIELDS
FigureField = Literal[FIGURE_FIELDS]  # type: ignore[valid-type]

_PERCENT_FIELDS = {"budget.execution_rate", "staffing.control_rate"} | {
    f for f in THREE_PUBLIC_FIELDS if f.endswith("pct")
}
_HEADCOUNT_FIELDS = {"staffing.authorized", "staffing.actual"}
_POINT_FIELDS = {"budget.execution_weight", "budget.execution_score"}
_SIGNED_FIELDS = {"budget.basic_budget_adjustment"} | {
    f for f in THREE_PUBLIC_FIELDS if f.endswith(("change", "change_pct"))
}


class Figure(_Strict):
    """预算/决算/三公经费中的一个数。"""

    field: FigureField = Field(description="该数对应的字段（见提示中的字段表）")
    value: float = Field(description="数值，按原文写法")
    unit: str | None = Field(None, description="原文单位：万元/元/%/分")
    quote: str = Field(description=QUOTE_HELP)

    @model_validator(mode="after")
    def _unit_fits_field(self) -> Figure:
        unit = (self.unit or "").strip()
        if self.field in _PERCENT_FIELDS:
            if unit not in PERCENT_UNITS:
                raise ValueError(f"{self.field} 是百分比，unit 应为 '%'，而不是 '{unit}'")
            if not -100 <= self.value <= 1000:
                raise ValueError(f"{self.field} = {self.value}% 超出合理范围")
        elif self.field in _HEADCOUNT_FIELDS:
            if unit not in ("", "人", "名") or self.value < 0 or not self.value.is_integer():
                raise ValueError(
                    f"{self.field} 是人数（非负整数，unit 为'人'），得到 {self.value}{unit}"
                )
        elif self.field in _POINT_FIELDS:
            if unit not in ("", "分") or not 0 <= self.value <= 100:
                raise ValueError(f"{self.field} 是分值/得分（0-100分），得到 {self.value}{unit}")
        elif unit not in MONEY_UNITS:
            raise ValueError(f"{self.field} 是金额，unit 应为 万元/元/亿元，而不是 '{unit}'")
        if self.value < 0 and self.field not in _SIGNED_FIELDS:
            raise ValueError(f"{self.field} 不应为负数（{self.value}）")
        return self


class ProjectItem(_Strict):
    """一个具体项目（项目支出明细）。"""

    name: str = Field(description="项目名称，逐字照抄", json_schema_extra=VERBATIM)
    amount: Num | None = Field(None, description="本年支出/决算/执行数（万元）")
    budget: Num | None = Field(None, description="本年预算数（万元），有才填")


class BudgetAnswer(_Strict):
    """收入、支出、预算执行、三公经费与项目支出。"""

    figures: list[Figure] = Field(
        default_factory=list,
        description="原文中每个出现的相关数字各一条；同一字段在正文和表格中各出现一次就写两条",
    )
    projects: list[ProjectItem] = Field(default_factory=list, description="具体项目及金额")


# --- the indicator table --------------------------------------------------------------------


def _cell(description: str) -> Any:
    return Field(None, description=description, json_schema_extra=VERBATIM)


class IndicatorRow(_Strict):
    """绩效自评表中的一行三级指标；单元格文字逐字照抄，合并单元格向下填充。"""

    level1: str | None = _cell("一级指标")
    level2: str | None = _cell("二级指标")
    level3: str = Field(description="三级指标", json_schema_extra=VERBATIM)
    target: str | None = _cell("年度指标值")
    actual: str | None = _cell("实际完成值")
    weight: str | None = _cell("分值")
    score: str | None = _cell("得分")
    deviation: str | None = _cell("偏差原因及改进措施")

    @model_validator(mode="after")
    def _score_within_weight(self) -> IndicatorRow:
        weight = _points(self.weight, "分值")
        score = _points(self.score, "得分")
        if weight is not None and score is not None and score > weight + 1e-9:
            raise ValueError(
                f"指标'{self.level3}'：得分 {score} 大于分值 {weight}，请按表格原文核对这两列"
            )
        return self


def _points(text: str | None, label: str) -> float | None:
    if text is None or is_blank(text):
        return None
    q = parse_quantity(text)
    if q is None or q.value is None or q.unit not in (None, "分"):
        raise ValueError(f"{label} '{text}' 不是分数，请填写表格中该列的数字")
    if not 0 <= float(q.value) <= 100:
        raise ValueError(f"{label} {q.value} 不在0-100之间")
    return float(q.value)


class IndicatorAnswer(_Strict):
    """绩效自评表：每个三级指标一行，以及总分和等级。"""

    rows: list[IndicatorRow] = Field(default_factory=list)
    total_score: Num | None = Field(None, description="自评总分（分）")
    grade: Txt | None = Field(None, description="评价等级/结果，如 优/良/中/差/优秀")

    @field_validator("total_score")
    @classmethod
    def _total_in_range(cls, v: Num | None) -> Num | None:
        if v is not None and not 0 <= v.value <= 100:
            raise ValueError(f"总分 {v.value} 不在0-100之间")
        return v


# --- narrative achievements -----------------------------------------------------------------


class Metric(_Strict):
    """成果句子中的一个数。"""

    name: str = Field(description="统计的是什么，如'行政处罚案件'、'办结率'")
    value: float = Field(description="数值，按原文写法")
    unit: str | None = Field(None, description="原文单位：件/个/人次/万元/%…")
    quote: str = Field(description="原文中包含该数的短语，逐字照抄")

    @model_validator(mode="after")
    def _percent_in_range(self) -> Metric:
        if (self.unit or "").strip() in PERCENT_UNITS and not 0 <= self.value <= 1000:
            raise ValueError(f"'{self.name}' 的百分比 {self.value}% 超出合理范围")
        return self


class AchievementItem(_Strict):
    """一项有数字的工作成果。"""

    text: str = Field(description="成果所在的原句或分句，逐字照抄", json_schema_extra=VERBATIM)
    section: str | None = Field(None, description="所在小节标题（可省略）")
    metrics: list[Metric] = Field(default_factory=list, description="句中的每个数")


class AchievementsAnswer(_Strict):
    """工作开展情况/实际完成情况中带数字的成果。"""

    items: list[AchievementItem] = Field(default_factory=list)


# --- problems and measures ------------------------------------------------------------------


class ListEntry(_Strict):
    title: str | None = _cell("条目标题（有才填）")
    text: str = Field(description="条目正文，逐字照抄", json_schema_extra=VERBATIM)


class ListsAnswer(_Strict):
    """存在的问题 与 下一步改进措施。"""

    problems: list[ListEntry] = Field(default_factory=list, description="存在的问题，每条一项")
    measures: list[ListEntry] = Field(default_factory=list, description="改进措施，每条一项")


RESPONSE_MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (ReportAnswer, BudgetAnswer, IndicatorAnswer, AchievementsAnswer, ListsAnswer)
}


def verbatim_fields(model: type[BaseModel]) -> set[str]:
    return {
        name
        for name, info in model.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("verbatim")
    }
