"""Who and when: the title, where the unit's name stands, what the unit calls itself, and
the years and document numbers that are not the fiscal year.

Families: ``title``, ``unit_where``, ``self_ref``, ``cover_labels``, ``distractor``. Every
name and figure written here is recorded in the truth as it stands (``report.title``,
``report.department``, ``report.fiscal_year``, ``report.budget_code``,
``report.report_date``, ``report.evaluation_method``, ``report.evaluator``); a cover the
document does not have leaves its fields out of the truth.
"""

from __future__ import annotations

from service.records import Value
from service.synth.figures import text_value
from service.synth.spec import PageBreak, Paragraph, SpecCell, TableBlock
from service.synth.variety.catalog import register
from service.synth.variety.writer import VariedWriter

TITLES = (
    "unit_year",
    "year_unit",
    "two_lines",
    "generic",
    "about",
    "unit_about",
    "place_two_lines",
)
# a title without the unit's name needs the name somewhere else
UNNAMED_TITLES = ("generic", "about", "place_two_lines")
UNIT_WHERE = (
    "title_only",
    "cover_table",
    "cover_lines",
    "cover_spaced",
    "running_header",
    "named_once",
)
register("title", TITLES)
register("unit_where", UNIT_WHERE)
register("self_ref", ("short", "unit", "department"))
# the cover form's labels: unit, budget code, evaluation method, date
COVER_LABELS = {
    "unit_name": ("单位名称", "预算编码", "评价方式", "报告日期"),
    "dept_unit": ("部门（单位）名称", "预算代码", "评价类型", "填报日期"),
    "budget_unit": ("预算单位", "单位编码", "自评方式", "报告时间"),
}
register("cover_labels", tuple(COVER_LABELS))
register(
    "distractor", ("none", "doc_number", "policy_year", "plan_period", "prior_plan", "meeting_doc")
)
_REPORT = "部门整体支出绩效自评报告"


def title(w: VariedWriter) -> str:
    """The title as printed (``\\n`` between two title lines); the truth takes it joined."""
    d, name = w.d, w.d.department
    form = w.pick("title")
    year = w.year()
    printed = {
        "unit_year": f"{name}{year}{_REPORT}",
        "year_unit": f"{year}{name}整体支出绩效自评报告",
        "two_lines": f"{name}\n{year}{_REPORT}",
        "generic": f"{year}{_REPORT}",
        "about": f"关于{year}部门整体支出绩效自评情况的报告",
        "unit_about": f"{name}关于{year}部门整体支出绩效自评情况的报告",
        # the place and year, the line broken inside the phrase; the unit is named elsewhere
        "place_two_lines": f"{w.county}{year}部门整体支出\n绩效评价自评报告",
    }[form]
    # a title on two lines is one title: its value joined, its raw as printed
    w.t.offer(
        "report.title", text_value(printed.replace("\n", "")).model_copy(update={"raw": printed})
    )
    w.t.offer("report.fiscal_year", Value(value=d.year, raw=str(d.year)))
    if form not in UNNAMED_TITLES:
        w.text("report.department", name)
    where = w.pick("unit_where", None if form not in UNNAMED_TITLES else UNIT_WHERE[1:])
    w.unit_where = where
    w.self_name = {"short": w.unit.short, "unit": "本单位", "department": "本部门"}[
        w.pick("self_ref")
    ]
    return printed


def cover(w: VariedWriter, force: bool = False) -> str | None:
    """The cover form for ``cover_*`` (label/value pairs as a table or as lines); a running
    header for ``running_header``. Returns the header text, if any."""
    where = w.unit_where
    if where == "running_header":
        w.text("report.department", w.d.department)
        return f"{w.d.department}　{w.year()}绩效自评报告"
    if not where.startswith("cover") and not force:
        return None
    d = w.d
    date = f"{d.report_date.year}年{d.report_date.month}月{d.report_date.day}日"
    labels = COVER_LABELS[w.pick("cover_labels")]
    values = (
        w.text("report.department", d.department),
        w.text("report.budget_code", d.budget_code),
        w.text("report.evaluation_method", "自评"),
        date,
    )
    pairs = list(zip(labels, values, strict=True))
    if labels[0].startswith("部门"):  # this form names who evaluated, too
        pairs.insert(3, ("评价机构", w.text("report.evaluator", "部门（单位）评价组")))
    w.t.offer("report.report_date", Value(value=d.report_date, raw=date))
    if where == "cover_table":
        rows = [[label, value] for label, value in pairs]
        w.blocks.append(TableBlock(rows=rows, col_widths=[1.0, 2.6], style=w.table_style))
    else:
        for label, value in pairs:
            shown = " ".join(label) if where == "cover_spaced" else label
            w.blocks.append(Paragraph(text=f"{shown}：{value}", indent=False))
    w.blocks.append(PageBreak())
    return None


def named_once(w: VariedWriter) -> str:
    """The unit's name with the short form it is called by afterwards, when the title and
    the cover do not name it ('澄溪县第二中学（以下简称“我校”）')."""
    if w.unit_where != "named_once":
        return w.self_name
    w.text("report.department", w.d.department)
    short = w.self_name
    return f"{w.d.department}（以下简称“{short}”）"


def intro(w: VariedWriter) -> str:
    """The opening sentence, with a year or document number that is not the fiscal year."""
    d = w.d
    form = w.pick("distractor")
    lead = {
        "none": "",
        "doc_number": f"根据县财政局《关于开展{d.year}年度部门整体支出绩效自评工作的通知》"
        f"（{w.county[0]}财绩〔{d.year + 1}〕{d.seed % 17 + 3}号）要求，",
        "policy_year": f"按照《预算绩效管理实施办法（{d.year - 3}年修订）》的规定，",
        "plan_period": f"围绕“十四五”规划（{d.year - 2 if d.year > 2022 else 2021}—2025年）目标，",
        "prior_plan": f"结合{d.year - 1}年度整体支出绩效评价反馈意见和{d.year + 1}年预算编制要求，",
        "meeting_doc": f"按照县政府{d.year + 1}年第{d.seed % 6 + 2}次常务会议精神和"
        f"《{w.county[0]}财预〔{d.year - 1}〕{d.seed % 23 + 11}号》文件要求，",
    }[form]
    return (
        f"{lead}{named_once(w)}对{d.year}年度部门整体支出情况开展了绩效自评，现将有关情况报告如下。"
    )


def staffing_cells(w: VariedWriter) -> list[list[str | SpecCell]]:
    d = w.d
    return [
        ["编制数", "在职人数", "退休人数"],
        [
            w.count("staffing.authorized", d.authorized, "", 2),
            w.count("staffing.actual", d.staff, "", 2),
            w.count("staffing.retired", d.retired, "", 2),
        ],
    ]
