"""What each LLM call sees: sections routed to tasks, tables as grids, budgets kept."""

from __future__ import annotations

from service.document import Document
from service.extract.llm.chunks import estimate_tokens, plan_chunks, route
from service.ingest import read_document
from tests.extract.conftest_llm import seed_docs  # noqa: F401 - fixtures


def test_sections_are_routed_by_their_titles(seed_docs: dict[str, Document]) -> None:
    assert route("（四）工作开展情况", "budget") == "achievements"
    assert route("（一）主要职能", "report") is None  # duties are skipped
    assert route("2、严格财务支出审批", "lists") == "lists"  # inside a list, stays a list
    doc = seed_docs["000"]
    chunks = {c.task: c for c in plan_chunks(doc)}
    assert list(chunks) == ["report", "budget", "indicators", "achievements", "lists"]
    assert "退休人数15人" in chunks["report"].text
    assert "主要职能" not in chunks["report"].text
    assert "“三公”经费完成3.04万元" in chunks["budget"].text
    assert "累计办理行政处罚案件157件" in chunks["achievements"].text
    assert "绩效目标意识不够" in chunks["lists"].text
    # tables are grids: the 基础数据表 row, cell by cell, and the 自评表 split at its header
    assert "项目支出 | 50.3 | 53.5 | 53.5" in chunks["budget"].text
    assert "年度资金总额 | 871.44 | 1112.51" in chunks["budget"].text
    assert "三级指标" in chunks["indicators"].text and "三级指标" not in chunks["budget"].text


def test_a_long_table_is_cut_into_row_groups_with_its_header(
    seed_docs: dict[str, Document],
) -> None:
    doc = seed_docs["000"]
    parts = [c for c in plan_chunks(doc, budget=300) if c.task == "indicators"]
    assert all(c.label.startswith("表") for c in parts)
    assert len(parts) >= 2
    for part in parts:
        assert part.text.count("三级指标") == 1  # the header repeated on every part
        assert estimate_tokens(part.text) <= 300 + 60
    rows = [line for p in parts for line in p.text.splitlines() if "≥95%" in line]
    assert len(rows) == len(set(rows)) == 11  # every row with a ≥95% target, each once


def test_a_report_without_headings_still_reaches_every_task() -> None:
    text = (
        "某单位2023年度部门整体支出绩效自评报告\n本单位总支出520.3万元，其中基本支出480.1万元。\n"
        "全年共检查企业320家。预算编制不够精准。\n"
    )
    doc = read_document(text.encode(), "flat.txt")
    chunks = plan_chunks(doc)
    assert {c.task for c in chunks} == {"report", "budget", "achievements", "lists"}
    assert all("检查企业320家" in c.text for c in chunks if c.task != "report")
