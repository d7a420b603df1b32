"""The typed records of one report (部门整体支出绩效自评报告).

Owns: the record types named in English with the Chinese term each stands for. Every scalar
is a ``Value | None`` (None = not found in the document; missing is not zero). Must not
import ``service.extract``, the database or the web; the store maps these to its tables.

The same classes are meant to serve as LLM response models (plain pydantic, field
descriptions in both languages), so they carry no behaviour beyond small helpers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from service.records.values import Source, Value

V = Value | None


def _v(description: str) -> V:
    return Field(None, description=description)


class Report(BaseModel):
    """Cover and metadata (封面 / 报告基本信息)."""

    title: V = _v("报告标题 title")
    department: V = _v("部门(单位)名称 department or unit")
    fiscal_year: V = _v("评价年度 fiscal year evaluated (int)")
    budget_code: V = _v("预算编码 budget code (text; leading zeros kept)")
    report_date: V = _v("报告日期 report date (date)")
    evaluation_method: V = _v("评价方式: '自评' or '中介机构评价' (the ticked box)")
    evaluator: V = _v("评价机构 who evaluated, e.g. 部门(单位)评价组")
    total_score: V = _v("自评总分 total self-evaluation score")
    grade: V = _v("评价等级 grade (优/良/中/差, 优秀…)")


class Staffing(BaseModel):
    """人员情况 / 财政供养人员情况."""

    authorized: V = _v("编制数 authorized headcount")
    actual: V = _v("在职人数 / 实际在职人数 staff in post")
    retired: V = _v("退休人数 retired staff")
    control_rate: V = _v("控制率 headcount control rate (%)")


class BudgetLine(BaseModel):
    """One row of a money table (基础数据表 经费控制情况, 收支情况表): an item across its
    columns."""

    item: Value = Field(description="项目 row label as written")
    previous_final: V = _v("上年决算数 previous year's final figure (万元)")
    initial_budget: V = _v("年初预算数 initial budget (万元), where the table has the column")
    budget: V = _v("本年预算数 / 调整后预算数 this year's (adjusted) budget (万元)")
    final: V = _v("本年决算数 / 执行数 this year's final figure (万元)")
    execution_rate: V = _v("执行率 execution rate (%), where the table has the column")


class ExpenseItem(BaseModel):
    """A line of a detailed breakdown (e.g. 基本支出: 工资福利支出 → 基本工资…)."""

    name: Value = Field(description="名称 item name as written")
    amount: V = _v("金额 amount (万元)")
    parent: str | None = Field(None, description="Name of the heading item it belongs to.")


class Budget(BaseModel):
    """收入支出预算执行情况: this year's final (决算) figures unless the name says otherwise."""

    total_income: V = _v("收入合计 / 总收入 total income (万元)")
    income_general_budget: V = _v("一般公共预算财政拨款收入 general public budget income")
    income_government_funds: V = _v("政府性基金(财政拨款)收入 government fund income")
    income_superior_subsidy: V = _v("上级补助收入 subsidies from the level above")
    income_business: V = _v("事业收入 business (service) income")
    income_operating: V = _v("经营收入 operating income")
    income_affiliated: V = _v("附属单位上缴收入 income handed up by affiliated units")
    income_non_tax: V = _v("纳入专户管理的非税收入(拨款) non-tax income under special accounts")
    income_other: V = _v("其他收入 / 其他资金 other income")
    total_expenditure: V = _v("支出合计 / 总支出 / 支出总额 total expenditure")
    basic_expenditure: V = _v("基本支出 basic (running) expenditure")
    personnel_expenditure: V = _v("人员经费 personnel expenditure")
    public_expenditure: V = _v("公用经费 / 日常公用经费 office and operations expenditure")
    project_expenditure: V = _v("项目支出 project expenditure")
    carry_over: V = _v("结转结余 / 年末结转和结余 carry-over and balance")
    execution_rate: V = _v("预算执行率 / 执行率 budget execution rate (%)")
    initial_budget: V = _v("年初预算数 initial budget")
    full_year_budget: V = _v("全年预算数 full-year (adjusted) budget")
    full_year_execution: V = _v("全年执行数 full-year execution")
    execution_weight: V = _v("预算执行 分值 points allotted to budget execution")
    execution_score: V = _v("预算执行 得分 points scored for budget execution")
    basic_budget_adjustment: V = _v("基本支出预算调整 adjustment of the basic-expenditure budget")
    basic_breakdown: list[ExpenseItem] = Field(
        default_factory=list, description="基本支出明细 detailed breakdown of basic expenditure"
    )
    lines: list[BudgetLine] = Field(
        default_factory=list, description="基础数据表 rows (经费控制情况), every column kept"
    )


class ThreePublicItem(BaseModel):
    """One 三公经费 item across budget, actual and last year."""

    actual: V = _v("本年决算 / 完成 this year's actual (万元)")
    budget: V = _v("本年预算 this year's budget (万元)")
    previous: V = _v("上年决算 last year's actual (万元)")
    change: V = _v("比上年增减 change against last year (万元; direction 增长/下降)")
    change_pct: V = _v("增减幅度 change against last year (%; direction 增长/下降)")


class ThreePublic(BaseModel):
    """三公经费: 因公出国(境)费, 公务接待费, 公务用车购置及运行维护费."""

    total: ThreePublicItem = Field(default_factory=ThreePublicItem, description="合计 total")
    overseas: ThreePublicItem = Field(
        default_factory=ThreePublicItem, description="因公出国(境)费 overseas trips"
    )
    reception: ThreePublicItem = Field(
        default_factory=ThreePublicItem, description="公务接待费 official hospitality"
    )
    vehicle: ThreePublicItem = Field(
        default_factory=ThreePublicItem,
        description="公务用车购置及运行维护费 official vehicles, purchase and running",
    )
    vehicle_purchase: ThreePublicItem = Field(
        default_factory=ThreePublicItem, description="公务用车购置费 vehicle purchase"
    )
    vehicle_operation: ThreePublicItem = Field(
        default_factory=ThreePublicItem, description="公务用车运行维护费 vehicle running costs"
    )


class Project(BaseModel):
    """A named project (项目支出明细)."""

    name: Value = Field(description="项目名称 project name as written")
    amount: V = _v("本年支出 / 决算数 / 执行数 this year's spending (万元)")
    budget: V = _v("本年预算数 this year's budget (万元)")
    previous: V = _v("上年决算数 last year's spending (万元)")


class Indicator(BaseModel):
    """One row of the 绩效自评表 (merged 一级/二级 cells filled down)."""

    level1: V = _v("一级指标 level-1 indicator (产出/效益/满意度/成本…)")
    level2: V = _v("二级指标 level-2 indicator (数量/质量/时效/成本/社会效益…)")
    level3: V = _v("三级指标 level-3 indicator (the measured item)")
    target: V = _v("年度指标值 / 目标值 target")
    actual: V = _v("实际完成值 / 实际值 actual")
    weight: V = _v("分值 / 权重 points available")
    score: V = _v("得分 / 自评得分 points scored")
    deviation: V = _v("偏差原因分析及改进措施 reason for deviation")


class Metric(BaseModel):
    """One figure inside an achievement sentence (办理行政处罚案件157件 → 157 件)."""

    name: str | None = Field(None, description="What is counted, as read around the figure.")
    value: Value


class Achievement(BaseModel):
    """A quantified accomplishment from the narrative (工作开展情况 / 实际完成情况)."""

    text: Value = Field(description="The sentence, as written")
    section: str | None = Field(None, description="Title of the section it stands in.")
    metrics: list[Metric] = Field(default_factory=list)


class ListItem(BaseModel):
    """One item of 存在的问题 or 改进措施."""

    title: V = _v("The item's heading, when it has one")
    text: Value = Field(description="The item's text (its body when it has a heading)")


Severity = Literal["error", "warning", "info"]
FindingKind = Literal[
    "conflict",
    "sum_mismatch",
    "percent_mismatch",
    "score_exceeds_weight",
    "ungrounded",
    "not_found",
]


class FindingItem(BaseModel):
    """One side of a finding: which field, and the value with its source."""

    path: str = Field(description="Dotted field path, e.g. 'budget.project_expenditure'.")
    label: str | None = Field(None, description="Short role, e.g. 'total' or 'part'.")
    value: Value


class FindingBasis(BaseModel):
    """Why the statements of a finding are read as one quantity (同一口径): the label they
    stand under, the year and the stage (budget / final) their own words give (schema 1.2)."""

    label: str | None = Field(None, description="The label the statements stand under.")
    year: int | None = Field(None, description="The year they are stated for, where stated.")
    period: Literal["current", "previous"] | None = Field(
        None, description="'current' (本年) or 'previous' (上年) where no year is stated."
    )
    stage: Literal["budget", "final"] | None = Field(
        None, description="预算 (budget) or 决算/实际 (final), as the words or columns say."
    )
    columns: list[str] = Field(
        default_factory=list, description="Headers of the table columns the figures stand in."
    )
    clear: bool = Field(
        False,
        description="Every statement's own words tie it to this quantity (then a contradiction "
        "is an error; otherwise a warning).",
    )


class Finding(BaseModel):
    """A contradiction or a problem found in the extracted values."""

    kind: FindingKind
    severity: Severity
    paths: list[str] = Field(description="The field paths involved.")
    message_zh: str
    message_en: str
    items: list[FindingItem] = Field(
        default_factory=list, description="The values involved, each with its source."
    )
    expected: float | None = Field(None, description="The computed figure, where one is.")
    tolerance: float | None = Field(None, description="The rounding tolerance applied.")
    basis: FindingBasis | None = Field(
        None, description="Why the values are taken as the same quantity (schema 1.2)."
    )
    reason_zh: str | None = Field(
        None, description="That reason, or why only a warning, in Chinese."
    )
    reason_en: str | None = Field(None, description="The same reason in English.")


class PossiblyMissed(BaseModel):
    """A field not read although its label words stand in the document: a place to look
    (可能漏读). The first place is ``source``, further ones are in ``also`` (schema 1.2)."""

    path: str = Field(description="Dotted field path, e.g. 'budget.carry_over'.")
    label: str = Field(description="The label words found, as written.")
    source: Source
    also: list[Source] = Field(default_factory=list, description="Further places it stands.")
