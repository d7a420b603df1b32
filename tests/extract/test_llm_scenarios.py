"""The LLM extractor against the scripted server, one scenario each: a valid answer, an
invalid answer then a valid one, validation failing for good, a hallucinated quote, a
value its quote does not hold, a timeout, 429 then success, 500 forever, a dead endpoint,
concurrency, the response cache and long sections split under the token budget."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from service.document import Document
from service.extract.llm.chunks import estimate_tokens, plan_chunks
from service.extract.llm.extractor import LLMExtractor
from service.extract.pipeline import ExtractOptions, extract
from service.ingest import read_document
from tests.extract.conftest_llm import (  # noqa: F401 - fixtures
    _llm_server_session,
    answer_from_seed,
    llm_server,
    llm_settings,
    make_settings,
    seed_answers,
    seed_docs,
)
from tests.llm_server import Fail, Reply, ScriptedLLM, Sleep

REPORT = """2023年度某县农业农村局部门整体支出绩效自评报告
一、部门基本情况
（一）人员情况
本单位编制人数32人，在职人数30人。
二、一般公共预算支出情况
2023年，本单位总支出520.3万元，其中：基本支出480.1万元，项目支出40.2万元。日常公用经费211.29万元。
三、工作开展情况
全年共检查企业320家，办理行政处罚案件45件。
四、存在的问题
1、预算编制不够精准。
"""

ANSWERS: dict[str, Any] = {
    "ReportAnswer": {"authorized": {"value": 32, "unit": "人", "quote": "编制人数32人"}},
    "BudgetAnswer": {
        "figures": [
            {"field": "budget.total_expenditure", "value": 520.3, "unit": "万元",
             "quote": "本单位总支出520.3万元"},
            {"field": "budget.basic_expenditure", "value": 480.1, "unit": "万元",
             "quote": "基本支出480.1万元"},
        ]
    },
    "AchievementsAnswer": {
        "items": [
            {"text": "全年共检查企业320家", "metrics": [
                {"name": "检查企业", "value": 320, "unit": "家", "quote": "检查企业320家"}]}
        ]
    },
    "ListsAnswer": {"problems": [{"text": "预算编制不够精准。"}], "measures": []},
}  # fmt: skip

RATE_IN_WAN = {  # a percentage given in 万元: the validator refuses it
    "figures": [
        {"field": "budget.execution_rate", "value": 100, "unit": "万元", "quote": "520.3万元"}
    ]
}


@pytest.fixture(scope="module")
def report() -> Document:
    return read_document(REPORT.encode(), "report.txt")


def _budget(**figure: Any) -> dict[str, Any]:
    base = {"field": "budget.total_expenditure", "value": 520.3, "unit": "万元",
            "quote": "本单位总支出520.3万元"}  # fmt: skip
    return {"figures": [base | figure]}


def _run(server: ScriptedLLM, settings: Any, doc: Document) -> Any:
    server.fallback = server.fallback or _oracle()
    return LLMExtractor(settings).extract(doc)


def _oracle() -> Any:
    from tests.llm_server import oracle

    return oracle(ANSWERS)


def test_the_report_is_cut_into_one_call_per_task(report: Document) -> None:
    assert [c.task for c in plan_chunks(report)] == ["report", "budget", "achievements", "lists"]


def test_valid_answer_gives_grounded_values_with_sources(
    llm_server: ScriptedLLM, llm_settings: Any, report: Document
) -> None:
    result = _run(llm_server, llm_settings, report)
    assert result.status == "success" and not result.errors
    total = result.export.budget.total_expenditure
    assert total is not None and total.value == 520.3 and total.unit == "万元"
    assert total.source.extractor == "llm" and total.source.grounded
    assert report.slice(total.source.span) == total.raw == "520.3万元"
    assert result.export.staffing.authorized.value == 32
    assert result.export.achievements[0].metrics[0].value.raw == "320家"
    assert result.export.problems[0].text.raw == "预算编制不够精准。"
    assert not [f for f in result.export.findings if f.kind == "ungrounded"]
    usage = result.usage
    assert usage.calls == 4 and usage.retries == 0 and usage.cache_hits == 0
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert set(usage.prompts) == {"report", "budget", "achievements", "lists"}
    assert (
        result.export.extractor.prompt_version
        and "budget@" in result.export.extractor.prompt_version
    )


def test_invalid_then_valid_feeds_the_error_back(
    llm_server: ScriptedLLM, llm_settings: Any, report: Document
) -> None:
    llm_server.push(Reply(RATE_IN_WAN, task="BudgetAnswer"), Reply(_budget(), task="BudgetAnswer"))
    result = _run(llm_server, llm_settings, report)
    assert result.status == "success"
    calls = llm_server.calls("BudgetAnswer")
    assert len(calls) == 2
    retry_messages = calls[1].body["messages"]
    assert len(retry_messages) > len(calls[0].body["messages"])
    assert "unit 应为 '%'" in str(retry_messages[-1]["content"])  # the validator's words
    assert result.usage.validation_retries == 1 and result.usage.calls == 5
    budget = next(r for r in result.usage.records if r.task == "budget")
    assert budget.requests == 2 and budget.validation_retries == 1


def test_validation_failing_for_good_is_bounded_and_reported(
    llm_server: ScriptedLLM, llm_settings: Any, report: Document
) -> None:
    llm_server.push(*[Reply(RATE_IN_WAN, task="BudgetAnswer") for _ in range(5)])
    result = _run(llm_server, llm_settings, report)
    assert len(llm_server.calls("BudgetAnswer")) == 3  # 1 + max_validation_retries (2)
    assert result.status == "partial"
    assert any("failed validation after 3 attempts" in e for e in result.errors)
    assert result.export.staffing.authorized is not None  # the other calls still count


def test_hallucinated_quote_is_kept_ungrounded_with_a_finding(
    llm_server: ScriptedLLM, llm_settings: Any, report: Document
) -> None:
    invented = _budget(
        field="budget.public_expenditure", value=111.29, quote="日常公用经费111.29万元"
    )
    llm_server.push(Reply(invented, task="BudgetAnswer"))
    result = _run(llm_server, llm_settings, report)
    value = result.export.budget.public_expenditure
    assert value is not None and value.value == 111.29 and not value.source.grounded
    findings = [f for f in result.export.findings if f.kind == "ungrounded"]
    assert findings and findings[0].paths == ["budget.public_expenditure"]
    assert "quote not found" in findings[0].message_zh


def test_value_not_in_its_quote_is_ungrounded(
    llm_server: ScriptedLLM, llm_settings: Any, report: Document
) -> None:
    # The real quote, the wrong figure: what the small model did with 211.29 → 111.29.
    misread = _budget(
        field="budget.public_expenditure", value=111.29, quote="日常公用经费211.29万元"
    )
    llm_server.push(Reply(misread, task="BudgetAnswer"))
    result = _run(llm_server, llm_settings, report)
    value = result.export.budget.public_expenditure
    assert value.value == 111.29 and not value.source.grounded
    assert report.slice(value.source.span) == "日常公用经费211.29万元"  # points at the quote
    finding = next(f for f in result.export.findings if f.kind == "ungrounded")
    assert "value not in quote" in finding.message_zh


def test_a_call_past_its_timeout_fails_that_chunk_only(
    llm_server: ScriptedLLM, tmp_path: Path, report: Document
) -> None:
    settings = make_settings(llm_server.base_url, tmp_path, timeout_s=0.3, max_retries=1)
    llm_server.push(*[Sleep(1.0, Reply(_budget()), task="BudgetAnswer") for _ in range(2)])
    result = _run(llm_server, settings, report)
    assert result.status == "partial"
    assert len(llm_server.calls("BudgetAnswer")) == 2  # one retry after the timeout
    assert any(e.startswith("budget[0]: timed out") for e in result.errors)
    budget = next(r for r in result.usage.records if r.task == "budget")
    assert budget.transport_retries == 1 and budget.error
    assert result.export.staffing.authorized is not None


def test_429_then_success_is_retried_with_backoff(
    llm_server: ScriptedLLM, llm_settings: Any, report: Document
) -> None:
    llm_server.push(Fail(429, task="BudgetAnswer", headers={"retry-after-ms": "20"}))
    result = _run(llm_server, llm_settings, report)
    assert result.status == "success"
    statuses = [r.status for r in llm_server.calls("BudgetAnswer")]
    assert statuses == [429, 200]
    assert result.usage.transport_retries == 1 and result.usage.calls == 5
    assert result.export.budget.total_expenditure.value == 520.3


def test_500_forever_fails_the_llm_part_and_auto_keeps_the_rules(
    llm_server: ScriptedLLM, llm_settings: Any, seed_docs: dict[str, Document]
) -> None:
    llm_server.fallback = Fail(500)
    doc = seed_docs["000"]
    auto = extract(doc, ExtractOptions(extractor="auto", llm=llm_settings))
    assert auto.status == "partial" and auto.export.extractor.name == "rules"
    assert auto.export.budget.basic_expenditure.value == 1059.01  # the rules result stays
    [error] = auto.errors
    # the 5 planned calls, and one more per task for possibly-missed places no call shows
    assert auto.llm_usage is not None
    n = len(auto.llm_usage.records)
    assert n >= 5 and f"{n} of {n} LLM calls failed" in error.message
    assert error.stage == "llm" and "HTTP 500" in error.message
    assert auto.llm_usage.transport_retries == n * 2
    alone = extract(doc, ExtractOptions(extractor="llm", llm=llm_settings))
    assert alone.status == "failed" and "HTTP 500" in alone.errors[0].message


def test_dead_endpoint_fails_fast_with_a_readable_error(
    tmp_path: Path, seed_docs: dict[str, Document]
) -> None:
    import socket

    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = make_settings(f"http://127.0.0.1:{port}/v1", tmp_path, max_retries=2)
    started = time.monotonic()
    result = extract(seed_docs["002"], ExtractOptions(extractor="auto", llm=settings))
    assert time.monotonic() - started < 10
    assert result.status == "partial" and result.export.report.department is not None
    assert "cannot connect" in result.errors[0].message
    assert f"127.0.0.1:{port}" in result.errors[0].message


def test_calls_run_concurrently(llm_server: ScriptedLLM, tmp_path: Path, report: Document) -> None:
    settings = make_settings(llm_server.base_url, tmp_path, max_concurrency=4)
    oracle = _oracle()
    llm_server.fallback = lambda body: Sleep(0.5, oracle(body))
    started = time.monotonic()
    result = LLMExtractor(settings).extract(report)
    assert result.status == "success"
    assert time.monotonic() - started < 1.5  # four half-second calls, not two seconds
    arrivals = [r.at for r in llm_server.requests]
    assert max(arrivals) - min(arrivals) < 0.4


def test_second_run_is_served_from_the_cache(
    llm_server: ScriptedLLM, llm_settings: Any, seed_docs: dict[str, Document],
    seed_answers: dict[str, Any],
) -> None:  # fmt: skip
    answer_from_seed(llm_server, seed_answers["000"])
    first = extract(seed_docs["000"], ExtractOptions(extractor="llm", llm=llm_settings))
    sent = len(llm_server.requests)
    assert first.llm_usage.calls == sent == 5 and first.llm_usage.cache_hits == 0
    second = extract(seed_docs["000"], ExtractOptions(extractor="llm", llm=llm_settings))
    assert len(llm_server.requests) == sent  # zero calls
    assert second.llm_usage.calls == 0 and second.llm_usage.cache_hits == 5
    assert second.llm_usage.prompt_tokens == 0
    same = {"extractor"}  # its notes carry this run's usage line
    assert second.export.model_dump(exclude=same) == first.export.model_dump(exclude=same)
    assert second.export.extractor.prompt_version == first.export.extractor.prompt_version
    # another model is another cache key
    other = llm_settings.model_copy(update={"model": "another-model"})
    extract(seed_docs["000"], ExtractOptions(extractor="llm", llm=other))
    assert len(llm_server.requests) == sent + 5


def test_long_sections_are_split_on_paragraphs_under_the_budget(
    llm_server: ScriptedLLM, tmp_path: Path, seed_docs: dict[str, Document],
    seed_answers: dict[str, Any],
) -> None:  # fmt: skip
    doc = seed_docs["000"]
    chunks = [c for c in plan_chunks(doc, budget=800) if c.task == "achievements"]
    assert len(chunks) >= 3
    for chunk in chunks:
        assert estimate_tokens(chunk.text) <= 800 + 40  # + the section labels
        for _start, end in chunk.spans:
            assert doc.text[end - 1] in "\n。" or end == max(e for _, e in chunk.spans)
    answer_from_seed(llm_server, seed_answers["000"])
    small = make_settings(llm_server.base_url, tmp_path / "a", max_input_tokens=800)
    split = LLMExtractor(small).extract(doc)
    whole = LLMExtractor(make_settings(llm_server.base_url, tmp_path / "b")).extract(doc)
    assert len(llm_server.calls("AchievementsAnswer")) == len(chunks) + 1
    texts = sorted(a.text.raw for a in split.export.achievements)
    assert texts == sorted(a.text.raw for a in whole.export.achievements) and texts


def test_a_broken_prompt_folder_is_reported_and_the_rules_result_stays(
    llm_server: ScriptedLLM, tmp_path: Path, seed_docs: dict[str, Document]
) -> None:
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "budget.toml").write_text('id = "budget"\n', encoding="utf-8")
    settings = make_settings(llm_server.base_url, tmp_path, prompts_dir=prompts)
    result = extract(seed_docs["000"], ExtractOptions(extractor="auto", llm=settings))
    assert result.status == "partial" and result.export.extractor.name == "rules"
    assert result.errors[0].stage == "llm" and "budget.toml" in result.errors[0].message
    assert not llm_server.requests
