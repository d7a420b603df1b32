"""``auto`` with an LLM: the places the rules possibly missed (可能漏读) go to the LLM first.

Against the scripted server (real openai client and instructor, 127.0.0.1 only): the chunk
holding a possibly-missed label is the first request and names the field and its label
words; a grounded answer fills the field with the value's own span, the export's
``possibly_missed`` shrinks and the notes count it; a call budget sends those chunks; with
no such places the calls keep the planned document order. Each document is ours: a figure
its label does not introduce (a later sentence, a section no task reads), in the budget,
the staffing and the total score.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.document import Document
from service.extract.llm.chunks import plan_chunks
from service.extract.llm.extractor import LLMExtractor
from service.extract.llm.focus import focus_chunks, focus_text, places_of
from service.extract.llm.prompts import load_prompts
from service.extract.llm.schemas import RESPONSE_MODELS
from service.extract.pipeline import ExtractOptions, extract
from service.extract.rules import extract_rules
from service.ingest import read_document
from tests.extract.conftest_llm import (  # noqa: F401 - fixtures
    _llm_server_session,
    llm_server,
    make_settings,
)
from tests.llm_server import Reply, ScriptedLLM, oracle, user_text  # NFKC: ： → :

# The carry-over is announced in one sentence and stated in the next: the label stands,
# no reader links it to the figure.
CARRY = """2024年度某市青松区林业服务中心部门整体支出绩效自评报告
一、部门基本情况
本中心编制人数18人，在职人数17人。
二、部门整体支出情况
2024年度，本中心总支出612.4万元，其中：基本支出401.7万元，项目支出210.7万元。
关于年末结转结余情况说明如下。因苗木验收推迟，部分款项未能支付，年末尚余38.25万元待下年安排。
三、工作开展情况
全年完成造林面积1250亩，开展林业执法巡查96次。
四、存在的问题
1、项目资金拨付进度偏慢。
"""
# The retired staff: the label opens a clause about who serves them, the count comes later.
RETIRED = """2023年度某县白鹭湖水产研究所部门整体支出绩效自评报告
一、单位概况
本所现有编制人数26人，实有在职人员24人。退休人员的管理服务由县老干部中心统一负责，目前共有11人，其中2023年新增3人。
二、预算执行情况
本年度支出总额305.8万元，其中基本支出276.3万元，项目支出29.5万元。
三、主要工作成效
完成鱼苗培育420万尾，开展技术培训12期。
四、存在的问题
1、绩效目标设置不够细化。
"""
# The total score stands in a 说明 section, which no LLM task reads as planned.
SCORE = """2022年度某县文化馆部门整体支出绩效自评报告
一、部门基本情况
本馆编制人数15人，在职人数14人。
二、支出情况
全年支出合计188.6万元，其中基本支出150.2万元，项目支出38.4万元。
三、工作开展情况
举办公益展览22场，开展送戏下乡演出48场。
四、其他需要说明的事项
本次自评总分由评价小组集体议定，经逐项打分汇总为：93.5分，结论为优。
"""

ANSWERS: dict[str, dict[str, Any]] = {
    "ReportAnswer": {
        "authorized": {"value": 18, "unit": "人", "quote": "编制人数18人"},
        "retired": {"value": 11, "unit": "人", "quote": "目前共有11人"},
    },
    "BudgetAnswer": {
        "figures": [
            {"field": "budget.total_expenditure", "value": 612.4, "unit": "万元",
             "quote": "本中心总支出612.4万元"},
            {"field": "budget.carry_over", "value": 38.25, "unit": "万元",
             "quote": "年末尚余38.25万元待下年安排"},
        ]
    },
    "IndicatorAnswer": {
        "rows": [], "total_score": {"value": 93.5, "unit": "分", "quote": "汇总为：93.5分"}
    },
    "AchievementsAnswer": {"items": []},
    "ListsAnswer": {"problems": [], "measures": []},
}  # fmt: skip


def _doc(text: str, name: str = "report.txt") -> Document:
    return read_document(text.encode(), name)


def _auto(server: ScriptedLLM, tmp_path: Path, text: str, **settings: Any) -> Any:
    server.fallback = oracle(ANSWERS)
    values = {"max_concurrency": 1, **settings}  # one at a time: the send order is the order
    llm = make_settings(server.base_url, tmp_path / "cache", **values)
    return extract(_doc(text), ExtractOptions(extractor="auto", llm=llm, data_dir=tmp_path))


def _missed_paths(text: str) -> list[str]:
    return [m.path for m in extract_rules(_doc(text)).export.possibly_missed]


@pytest.mark.parametrize(
    ("text", "path", "label"),
    [(CARRY, "budget.carry_over", "结转结余"), (RETIRED, "staffing.retired", "退休人员"),
     (SCORE, "report.total_score", "自评总分")],
)  # fmt: skip
def test_the_rules_miss_these_fields_although_their_labels_stand(
    text: str, path: str, label: str
) -> None:
    # The premise of the tests below: if a reader learns these phrasings, pick harder ones.
    export = extract_rules(_doc(text)).export
    entry = next(m for m in export.possibly_missed if m.path == path)
    assert label in entry.label and text[entry.source.span.start :].startswith(entry.label)


def test_the_first_request_is_the_chunk_holding_the_missed_label(
    llm_server: ScriptedLLM, tmp_path: Path
) -> None:
    result = _auto(llm_server, tmp_path, CARRY)
    first = llm_server.requests[0]
    assert first.task == "BudgetAnswer"  # before the cover, which comes first in the text
    shown = user_text(first.body)
    assert "关于年末结转结余情况说明如下" in shown and "年末尚余38.25万元" in shown
    assert "- budget.carry_over:原文标签 “年末结转结余”" in shown
    later = [user_text(r.body) for r in llm_server.requests[1:]]
    assert [r.task for r in llm_server.requests[1:]] == [
        "ReportAnswer", "AchievementsAnswer", "ListsAnswer"
    ]  # fmt: skip
    assert not any("budget.carry_over" in text for text in later)
    carry = result.export.budget.carry_over
    assert carry is not None and carry.value == 38.25 and carry.unit == "万元"
    assert carry.source.extractor == "llm" and carry.source.grounded
    at = CARRY.index("38.25万元")
    assert (carry.source.span.start, carry.source.span.end) == (at, at + len("38.25万元"))
    assert carry.raw == "38.25万元"


def test_the_filled_field_leaves_possibly_missed_and_the_notes_count_it(
    llm_server: ScriptedLLM, tmp_path: Path
) -> None:
    assert "budget.carry_over" in _missed_paths(CARRY)
    result = _auto(llm_server, tmp_path, CARRY)
    export = result.export
    assert "budget.carry_over" not in [m.path for m in export.possibly_missed]
    assert "budget.carry_over" not in export.missing
    assert export.extractor.name == "auto"
    note = next(n for n in export.extractor.notes if n.startswith("llm+rules"))
    total = len(_missed_paths(CARRY))
    assert f"possibly-missed places resolved by the LLM: 1 of {total} (budget.carry_over)" in note
    assert result.notes == export.extractor.notes


def test_a_missed_headcount_goes_to_the_report_call_by_its_answer_key(
    llm_server: ScriptedLLM, tmp_path: Path
) -> None:
    result = _auto(llm_server, tmp_path, RETIRED)
    first = llm_server.requests[0]
    assert first.task == "ReportAnswer"
    assert "- retired(staffing.retired):原文标签 “退休人员”" in user_text(first.body)
    retired = result.export.staffing.retired
    assert retired is not None and retired.value == 11 and retired.unit == "人"
    assert retired.source.grounded and RETIRED[retired.source.span.start :].startswith("11人")
    assert "staffing.retired" not in [m.path for m in result.export.possibly_missed]


def test_a_label_in_a_section_no_task_reads_gets_a_call_of_its_own_first(
    llm_server: ScriptedLLM, tmp_path: Path
) -> None:
    doc = _doc(SCORE)
    assert all("自评总分" not in c.text for c in plan_chunks(doc))  # 说明 sections are skipped
    result = _auto(llm_server, tmp_path, SCORE)
    first = llm_server.requests[0]
    assert first.task == "IndicatorAnswer"
    shown = user_text(first.body)
    assert "【可能漏读】" in shown and "经逐项打分汇总为:93.5分" in shown
    assert "- total_score(report.total_score):原文标签 “自评总分”" in shown
    score = result.export.report.total_score
    assert score is not None and score.value == 93.5 and score.source.grounded
    assert SCORE[score.source.span.start : score.source.span.end] == score.raw
    assert score.raw.startswith("93.5")
    assert "report.total_score" not in [m.path for m in result.export.possibly_missed]


def test_an_ungrounded_answer_fills_but_is_not_counted_resolved(
    llm_server: ScriptedLLM, tmp_path: Path
) -> None:
    invented = {"figures": [{"field": "budget.carry_over", "value": 83.25, "unit": "万元",
                             "quote": "年末结余83.25万元"}]}  # fmt: skip
    llm_server.push(Reply(invented, task="BudgetAnswer"))
    result = _auto(llm_server, tmp_path, CARRY)
    carry = result.export.budget.carry_over
    assert carry is not None and carry.value == 83.25 and not carry.source.grounded
    note = next(n for n in result.export.extractor.notes if n.startswith("llm+rules"))
    assert "resolved by the LLM: 0 of" in note and "1 filled ungrounded (budget.carry_over)" in note


def test_a_call_budget_sends_the_possibly_missed_chunks(
    llm_server: ScriptedLLM, tmp_path: Path
) -> None:
    llm_server.fallback = oracle(ANSWERS)
    settings = make_settings(llm_server.base_url, tmp_path, max_concurrency=4)
    doc = _doc(CARRY)
    missed = extract_rules(doc).export.possibly_missed
    result = LLMExtractor(settings).extract(doc, missed=missed, max_calls=1)
    assert [r.task for r in llm_server.requests] == ["BudgetAnswer"]
    assert [c.task for c in result.sent] == ["budget"]
    assert [c.task for c in result.unsent] == ["report", "achievements", "lists"]
    assert result.usage.unsent == 3 and "3 chunks not sent (call budget)" in result.usage.summary()
    assert result.export.budget.carry_over.value == 38.25


def test_without_possibly_missed_places_the_calls_keep_the_document_order(
    llm_server: ScriptedLLM, tmp_path: Path
) -> None:
    llm_server.fallback = oracle(ANSWERS)
    settings = make_settings(llm_server.base_url, tmp_path, max_concurrency=1)
    doc = _doc(CARRY)
    extractor = LLMExtractor(settings)
    planned = [(c.task, c.index, c.spans) for c in plan_chunks(doc)]
    assert [(c.task, c.index, c.spans) for c in extractor.plan(doc)] == planned
    result = extractor.extract(doc, missed=[])
    assert [r.task for r in llm_server.requests] == [
        "ReportAnswer", "BudgetAnswer", "AchievementsAnswer", "ListsAnswer"
    ]  # fmt: skip
    assert not any("原文标签" in user_text(r.body) for r in llm_server.requests)
    assert [(c.task, c.index, c.spans) for c in result.sent] == planned


def test_chunks_holding_more_places_go_first() -> None:
    text = """2023年度某区园林绿化服务站部门整体支出绩效自评报告
一、基本情况
本站编制数20人。退休人员由区里统一管理。
二、收支情况
年度收入情况单独说明。结转结余在决算中列示。本年支出合计96.1万元。
三、工作成效
养护绿地面积35公顷，其中新增收入来源一处。
"""
    doc = _doc(text)
    places = places_of(doc, extract_rules(doc).export.possibly_missed)
    by_path = {p.path for p in places}
    assert {"staffing.retired", "budget.carry_over"} <= by_path
    ordered = focus_chunks(doc, plan_chunks(doc), places)
    counts = [len(c.focus) for c in ordered]
    assert counts == sorted(counts, reverse=True)  # most places first
    assert ordered[0].task == "budget" and len(ordered[0].focus) > 1
    report = next(c for c in ordered if c.task == "report")
    assert "staffing.retired" in {p.path for p in report.focus}
    achievements = next(c for c in ordered if c.task == "achievements")
    assert achievements.focus == []  # a budget label there is not for the achievements call
    rest = [c for c in ordered if not c.focus]
    planned = [
        c for c in plan_chunks(doc) if (c.task, c.index) in {(r.task, r.index) for r in rest}
    ]
    assert [(c.task, c.index) for c in rest] == [(c.task, c.index) for c in planned]


def test_focus_text_names_each_field_once_with_every_label_it_stands_under() -> None:
    text = """2023年度某镇综合文化站部门整体支出绩效自评报告
一、收支情况
结转结余见附表。年末结转和结余资金已清理。本年支出合计40.2万元。
"""
    doc = _doc(text)
    missed = [m for m in extract_rules(doc).export.possibly_missed if m.path == "budget.carry_over"]
    chunks = focus_chunks(doc, plan_chunks(doc), places_of(doc, missed))
    budget = next(c for c in chunks if c.focus)
    hint = focus_text(budget)
    assert hint.count("budget.carry_over") == 1
    assert "“结转结余”" in hint


def test_templates_with_a_focus_text_render_it_only_when_told() -> None:
    prompts = load_prompts(None, RESPONSE_MODELS)
    assert {t for t, p in prompts.items() if p.focus} == {"report", "budget", "indicators"}
    budget = prompts["budget"]
    plain = budget.render(section="二、", text="本年支出合计40.2万元。")[1]["content"]
    told = budget.render("- budget.carry_over：原文标签 “结转结余”", section="二、",
                         text="本年支出合计40.2万元。")[1]["content"]  # fmt: skip
    assert "原文标签" not in plain and told.startswith(plain.rstrip("\n"))
    assert "- budget.carry_over：原文标签 “结转结余”" in told


def test_a_place_deep_in_a_long_paragraph_gets_the_text_around_it_not_the_paragraph() -> None:
    filler = "本馆围绕群众文化需求，统筹推进阵地服务、流动服务和数字服务，" * 12
    text = SCORE.replace("本次自评总分", filler + "本次自评总分")
    doc = _doc(text)
    places = places_of(doc, extract_rules(doc).export.possibly_missed)
    assert any(p.path == "report.total_score" for p in places)
    own = next(c for c in focus_chunks(doc, plan_chunks(doc), places) if c.label == "可能漏读")
    assert own.task == "indicators" and "汇总为:93.5分" in own.text  # the text is NFKC
    assert len(own.text) < len(filler)  # the paragraph is not sent whole
    [(lo, hi)] = own.spans
    body = doc.text
    assert lo <= body.index("本次自评总分") and hi >= body.index("93.5分") + len("93.5分")


def test_a_budget_label_inside_the_achievements_goes_to_a_budget_call() -> None:
    text = CARRY.replace(
        "关于年末结转结余情况说明如下。因苗木验收推迟，部分款项未能支付，年末尚余38.25万元待下年安排。\n", ""
    ).replace(
        "开展林业执法巡查96次。",
        "开展林业执法巡查96次。另对结转结余开展清理，因苗木验收推迟，年末尚余38.25万元待下年安排。",
    )  # fmt: skip
    doc = _doc(text)
    places = places_of(doc, extract_rules(doc).export.possibly_missed)
    assert any(p.path == "budget.carry_over" for p in places)
    ordered = focus_chunks(doc, plan_chunks(doc), places)
    achievements = next(c for c in ordered if c.task == "achievements")
    assert achievements.focus == [] and "结转结余" in achievements.text
    own = ordered[0]
    assert own.task == "budget" and own.label == "可能漏读" and "年末尚余38.25万元" in own.text
    assert own.index == 1  # after the planned budget call, numbered on
    assert "- budget.carry_over：原文标签 “结转结余”" in focus_text(own)


def test_the_call_budget_comes_from_the_settings(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from service.config import LLMSettings
    from service.extract.llm.stage import call_budget

    monkeypatch.setenv("JIXIAO_LLM_MAX_CALLS", "3")
    assert call_budget(LLMSettings()) == 3
    monkeypatch.delenv("JIXIAO_LLM_MAX_CALLS")
    assert call_budget(LLMSettings()) is None
