"""Shared, expensive renderings for the generator's tests (built once per session)."""

from __future__ import annotations

import pytest

from service.synth import Knobs, ReportSpec, SyntheticReport, make_report, render
from service.synth.spec import Heading, Paragraph, SpecCell, TableBlock

LONG_PARAGRAPH = (
    "2023年度一般公共预算的基本支出为1059.01万元，其中人员经费847.72万元，占基本支出80.04%，"
    "主要包括工资、机关养老保险缴费、职工医疗保险费、住房公积金等；日常公用经费211.29万元，"
    "占基本支出的19.96%，主要包括办公费、印刷费、水电费、差旅费、公务接待费、工会经费等。"
)


def small_spec(indicator_rows: int = 6) -> ReportSpec:
    """A short report with a merged-cell indicator table of ``indicator_rows`` rows."""
    rows: list[list[str | SpecCell]] = [
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    ]
    for i in range(indicator_rows):
        row: list[str | SpecCell] = []
        if i % 6 == 0:
            row.append(SpecCell(text="产出指标", row_span=min(6, indicator_rows - i)))
        if i % 3 == 0:
            row.append(
                SpecCell(
                    text="数量指标" if i % 6 == 0 else "质量指标",
                    row_span=min(3, indicator_rows - i),
                )
            )
        row += [f"办理行政处罚案件{i + 1}", "≥95%", "97.5%", "5", "5"]
        rows.append(row)
    return ReportSpec(
        title="2023年度云溪县市场监督管理局整体支出绩效自评报告",
        blocks=[
            Heading(level=1, text="一、部门（单位）基本情况"),
            Heading(level=2, text="（一）主要职能"),
            Paragraph(text=LONG_PARAGRAPH),
            Paragraph(text="评价方式：部门（单位）自评☒　中介机构评价☐", indent=False),
            TableBlock(rows=rows, header_rows=1),
            Paragraph(text="以上指标均已完成。"),
        ],
    )


@pytest.fixture(scope="session")
def spec() -> ReportSpec:
    return small_spec()


@pytest.fixture(scope="session")
def long_spec() -> ReportSpec:
    return small_spec(indicator_rows=36)


@pytest.fixture(scope="session")
def spec_pdf(spec: ReportSpec) -> bytes:
    return render(spec, "pdf")[0]


@pytest.fixture(scope="session")
def hunan_report() -> SyntheticReport:
    return make_report(11, "hunan", Knobs(contradictions=1, approx=True))


@pytest.fixture(scope="session")
def hunan_pdf(hunan_report: SyntheticReport) -> bytes:
    return render(hunan_report.spec, "pdf")[0]
