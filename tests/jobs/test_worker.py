"""What a job stores from an extraction result: timings, LLM usage, failure as data."""

from __future__ import annotations

from service.extract.llm.usage import LLMUsage
from service.extract.pipeline import ExtractionError, ExtractionResult
from service.jobs.worker import _extraction_row, _failure_of
from service.records import SCHEMA_VERSION, ExtractorInfo, ReportExport


def _result(**kw: object) -> ExtractionResult:
    export = ReportExport(
        extractor=ExtractorInfo(name="llm", version="1", model="qwen-max", prompt_version="p3")
    )
    return ExtractionResult(export=export, **kw)  # type: ignore[arg-type]


def test_row_carries_model_prompt_usage_and_timings() -> None:
    usage = LLMUsage(calls=4, prompt_tokens=1200, completion_tokens=300, cache_hits=1, cost=0.02)
    row = _extraction_row(
        _result(status="success", llm_usage=usage, timings={"llm": 2.5}), 0.25, 3.0
    )
    assert (row["extractor"], row["model"], row["prompt_version"]) == ("llm", "qwen-max", "p3")
    assert (row["llm_calls"], row["llm_tokens"]) == (4, 1500)
    assert row["llm_usage"]["cache_hits"] == 1 and "records" not in row["llm_usage"]
    assert row["timings"] == {"llm": 2.5, "ingest": 0.25, "total": 3.0}
    assert row["export"]["schema_version"] == SCHEMA_VERSION


def test_a_failed_extraction_is_a_readable_error_and_partial_is_not() -> None:
    errors = [ExtractionError(stage="rules", message="KeyError: 'x'")]
    failed = _failure_of(_result(status="failed", errors=errors))
    assert failed is not None and failed["code"] == "extraction_failed"
    assert failed["detail"] == "KeyError: 'x'" and failed["message_zh"]
    assert _failure_of(_result(status="partial", errors=errors)) is None
