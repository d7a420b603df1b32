"""The extraction pipeline: ``extract(document, options) -> ExtractionResult``.

Owns: choosing the extractor ('rules', 'llm', 'auto'), timing the stages, running the
consistency checks on every result, and turning failures into data (status + errors)
rather than exceptions. The API, jobs and CLI call only this. Must not import the store,
the API or the UI.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from service.config import LLMSettings
from service.document import Document
from service.errors import JixiaoError
from service.extract.checks import run_checks
from service.extract.llm import LLMNotConfiguredError
from service.extract.llm.usage import LLMUsage
from service.extract.rules import RULES_VERSION, RulesOutput, document_info, extract_rules
from service.records import ExtractorInfo, ReportExport

NO_LLM_NOTE = (
    "未配置大模型，使用规则抽取。 No LLM endpoint is configured: the rules extractor was used."
)


class LLMUnavailableError(LLMNotConfiguredError):
    """``extractor='llm'`` was asked for and no LLM endpoint is configured."""


class ExtractOptions(BaseModel):
    extractor: Literal["rules", "llm", "auto"] = "auto"
    checks: bool = Field(True, description="Run the consistency checks.")
    llm: LLMSettings | None = Field(
        None, description="The LLM endpoint; default: the service settings' llm group."
    )
    data_dir: Path | None = Field(
        None, description="Where the LLM response cache lives; default: the service data_dir."
    )


class ExtractionError(BaseModel):
    stage: str
    page: int | None = None
    message: str


class ExtractionResult(BaseModel):
    export: ReportExport
    status: Literal["success", "partial", "failed"]
    errors: list[ExtractionError] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage.")
    llm_usage: LLMUsage | None = Field(
        None, description="Calls, tokens, retries, cache hits, latency and cost of the LLM."
    )


def llm_available(options: ExtractOptions | None = None) -> bool:
    """Whether an LLM endpoint is configured (decided from settings; no network)."""
    from service.extract.llm import configured_settings

    return configured_settings((options or ExtractOptions()).llm) is not None


def extract(document: Document, options: ExtractOptions | None = None) -> ExtractionResult:
    options = options or ExtractOptions()
    notes: list[str] = []
    errors: list[ExtractionError] = []
    timings: dict[str, float] = {}
    from service.extract.llm import configured_settings

    llm_settings = configured_settings(options.llm) if options.extractor != "rules" else None
    if options.extractor == "llm" and llm_settings is None:
        raise LLMUnavailableError("set JIXIAO_LLM_BASE_URL and JIXIAO_LLM_MODEL")
    if options.extractor == "auto" and llm_settings is None:
        notes.append(NO_LLM_NOTE)
    t0 = time.perf_counter()
    shares: list = []
    out = None
    export = ReportExport(
        document=document_info(document),
        extractor=ExtractorInfo(name=options.extractor, version=RULES_VERSION),
    )
    if options.extractor != "llm":
        try:
            out = extract_rules(document)
            export, shares = out.export, out.shares
        except Exception as exc:  # noqa: BLE001 - a rules bug must not lose the document
            errors.append(ExtractionError(stage="rules", message=f"{type(exc).__name__}: {exc}"))
        timings["rules"] = time.perf_counter() - t0
    produced = ["rules"] if out is not None else []
    usage = None
    if llm_settings is not None:
        t2 = time.perf_counter()
        llm_export, usage = _llm_stage(document, options, llm_settings, out, errors, notes)
        timings["llm"] = time.perf_counter() - t2
        if llm_export is not None:
            export = llm_export
            produced.append("llm")
    if options.checks and produced:
        t1 = time.perf_counter()
        try:
            export.findings.extend(run_checks(export, shares))
        except Exception as exc:  # noqa: BLE001
            errors.append(ExtractionError(stage="checks", message=f"{type(exc).__name__}: {exc}"))
        timings["checks"] = time.perf_counter() - t1
    export.extractor.notes = list(notes)
    status: Literal["success", "partial", "failed"] = "success"
    if errors:
        status = "partial" if produced else "failed"
    return ExtractionResult(
        export=export,
        status=status,
        errors=errors,
        notes=notes,
        timings=timings,
        llm_usage=usage,
    )


def _llm_stage(
    document: Document,
    options: ExtractOptions,
    settings: LLMSettings,
    rules: RulesOutput | None,
    errors: list[ExtractionError],
    notes: list[str],
) -> tuple[ReportExport | None, LLMUsage | None]:
    """Run the LLM (merged with the rules result for 'auto'). Returns the export to use, or
    None to keep the rules result; failures become errors of stage 'llm'."""
    try:
        return _run_llm(document, options, settings, rules, errors, notes)
    except JixiaoError as exc:  # misconfiguration (prompts), reported, never a traceback
        errors.append(ExtractionError(stage="llm", message=exc.message))
    except Exception as exc:  # noqa: BLE001 - an LLM-side bug must not lose the rules result
        errors.append(ExtractionError(stage="llm", message=f"{type(exc).__name__}: {exc}"))
    return None, None


def _run_llm(
    document: Document,
    options: ExtractOptions,
    settings: LLMSettings,
    rules: RulesOutput | None,
    errors: list[ExtractionError],
    notes: list[str],
) -> tuple[ReportExport | None, LLMUsage | None]:
    from service.extract.llm.merge import merge
    from service.extract.llm.stage import error_lines, run_llm

    sections, missed = (rules.sections, rules.export.possibly_missed) if rules else (None, None)
    result = run_llm(document, settings, options.data_dir, sections, missed)
    notes.append(result.usage.summary())
    errors.extend(ExtractionError(stage="llm", message=line) for line in error_lines(result))
    if result.status == "failed":
        return None, result.usage
    if options.extractor == "llm" or rules is None:
        return result.export, result.usage
    export, report = merge(rules, result.export, result.candidates, result.ungrounded)
    llm_info = result.export.extractor
    export.extractor = ExtractorInfo(
        name="auto",
        version=f"{RULES_VERSION}+{llm_info.version}",
        model=llm_info.model,
        prompt_version=llm_info.prompt_version,
    )
    notes.append(report.note())
    return export, result.usage
