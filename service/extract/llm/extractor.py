"""The LLM extractor: a document → per-section calls → grounded records, with usage.

Owns: running one call per chunk (``chunks.plan_chunks``) with the task's prompt and
response model, concurrently up to ``max_concurrency``, through the response cache — the
chunks holding places the rules possibly missed first, each told which fields to look for
there (``focus``), and no more than ``max_calls`` chunks where a call budget is set; then
mapping the answers (``mapper``) into a ``ReportExport`` whose values all carry
``extractor="llm"`` sources. A failed call fails its chunk, not the document: the result
lists the errors and the status says ``partial``; when every call fails the status is
``failed`` (the pipeline keeps the rules result). Must not import the database or the web.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from service.config import LLMSettings
from service.document import Document
from service.extract.llm.cache import ResponseCache, cache_key
from service.extract.llm.chunks import Chunk, plan_chunks
from service.extract.llm.focus import focus_chunks, focus_text, places_of
from service.extract.llm.mapper import Mapper
from service.extract.llm.prompts import PromptTemplate, load_prompts
from service.extract.llm.provider import LLMClient, LLMError
from service.extract.llm.schemas import RESPONSE_MODELS
from service.extract.llm.usage import CallRecord, LLMUsage
from service.extract.resolve import Candidate, resolve
from service.extract.rules import apply, document_info
from service.extract.sections import Section, build_sections
from service.records import ExtractorInfo, Finding, PossiblyMissed, ReportExport

EXTRACTOR_VERSION = "llm-1"

Status = Literal["success", "partial", "failed"]

# task → the mapper method that files its answer
_APPLY: dict[str, Callable[[Mapper, Any, Chunk], None]] = {
    "report": Mapper.report,
    "budget": Mapper.budget,
    "indicators": Mapper.indicators,
    "achievements": Mapper.achievements,
    "lists": Mapper.lists,
}


@dataclass
class LLMExtraction:
    """What the LLM part produced for one document."""

    export: ReportExport
    usage: LLMUsage
    status: Status
    errors: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    ungrounded: list[Finding] = field(default_factory=list)
    # the calls in the order they were sent, and those a call budget left unsent
    sent: list[Chunk] = field(default_factory=list)
    unsent: list[Chunk] = field(default_factory=list)


@dataclass
class _Outcome:
    chunk: Chunk
    record: CallRecord
    answer: BaseModel | None = None
    error: str | None = None


class LLMExtractor:
    """Reusable across documents (one client, one cache, prompts loaded once)."""

    def __init__(
        self,
        settings: LLMSettings,
        data_dir: Path | None = None,
        client: LLMClient | None = None,
    ) -> None:
        self.settings = settings
        self.client = client or LLMClient(settings)
        self.prompts: dict[str, PromptTemplate] = load_prompts(
            settings.prompts_dir, RESPONSE_MODELS
        )
        cache_dir = settings.cache_dir or (Path(data_dir or "data") / "llm-cache")
        self.cache = ResponseCache(cache_dir) if settings.cache_enabled else None

    def close(self) -> None:
        self.client.close()

    @property
    def prompt_versions(self) -> dict[str, str]:
        return {task: p.fingerprint for task, p in sorted(self.prompts.items())}

    # --- one document ------------------------------------------------------------------------

    def extract(
        self,
        doc: Document,
        sections: Section | None = None,
        missed: Sequence[PossiblyMissed] = (),
        max_calls: int | None = None,
    ) -> LLMExtraction:
        """``missed``: the rules' possibly-missed fields; the chunks showing their places
        are sent first and told to look for them. ``max_calls``: at most that many chunks
        are sent (in that order); the rest are listed in ``unsent``."""
        started = time.monotonic()
        chunks = self.plan(doc, sections, missed)
        unsent = chunks[max_calls:] if max_calls is not None else []
        chunks = chunks[:max_calls] if max_calls is not None else chunks
        workers = max(1, min(self.settings.max_concurrency, len(chunks)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm") as pool:
            outcomes = list(pool.map(self._run, chunks))
        export = self._export(doc)
        mapper = Mapper(doc, export)
        errors: list[str] = []
        for outcome in outcomes:
            if outcome.answer is not None:
                _APPLY[outcome.chunk.task](mapper, outcome.answer, outcome.chunk)
            if outcome.error:
                errors.append(f"{outcome.chunk.task}[{outcome.chunk.index}]: {outcome.error}")
        resolution = resolve(mapper.candidates)
        apply(export, resolution)
        export.findings[:0] = resolution.findings
        export.findings.extend(mapper.findings)
        usage = LLMUsage.from_records(
            [o.record for o in outcomes],
            unsent=len(unsent),
            model=self.client.model,
            mode=self.client.mode,
            wall_s=time.monotonic() - started,
            price_prompt=self.settings.price_per_1k_prompt,
            price_completion=self.settings.price_per_1k_completion,
            prompts={o.chunk.task: self.prompts[o.chunk.task].fingerprint for o in outcomes},
        )
        answered = sum(1 for o in outcomes if o.answer is not None)
        status: Status = "success" if not errors else ("partial" if answered else "failed")
        if not chunks:
            errors.append("no section of the document was routed to an LLM task")
            status = "failed"
        return LLMExtraction(
            export, usage, status, errors, mapper.candidates, mapper.findings, chunks, unsent
        )

    def plan(
        self, doc: Document, sections: Section | None = None, missed: Sequence[PossiblyMissed] = ()
    ) -> list[Chunk]:
        """The calls to make, in the order to send them: without possibly-missed places,
        the planned (document) order of each task."""
        root = sections or build_sections(doc)
        planned = plan_chunks(doc, root, self.settings.max_input_tokens)
        chunks = focus_chunks(doc, planned, places_of(doc, missed)) if missed else planned
        return [c for c in chunks if c.task in self.prompts]

    def _export(self, doc: Document) -> ReportExport:
        return ReportExport(
            document=document_info(doc),
            extractor=ExtractorInfo(
                name="llm",
                version=EXTRACTOR_VERSION,
                model=self.client.model,
                prompt_version=",".join(self.prompt_versions.values()),
                notes=[f"mode {self.client.mode}"],
            ),
        )

    # --- one call ----------------------------------------------------------------------------

    def _run(self, chunk: Chunk) -> _Outcome:
        template = self.prompts[chunk.task]
        model = RESPONSE_MODELS[template.response_model]
        fields = focus_text(chunk) if template.focus else ""
        record = CallRecord(task=chunk.task, chunk=chunk.index)
        key = cache_key(
            model=self.client.model,
            mode=self.client.mode,
            prompt=template.fingerprint,
            response_model=model,
            text=chunk.text + "\x00" + fields if fields else chunk.text,
        )
        cached = self._cached(key, model)
        if cached is not None:
            record.cached = True
            return _Outcome(chunk, record, answer=cached)
        messages = template.render(fields, section=chunk.label, text=chunk.text)
        try:
            answer = self.client.call(model, messages, record)
        except LLMError as exc:
            return _Outcome(chunk, record, error=exc.detail or exc.message)
        if self.cache is not None:
            self.cache.put(
                key,
                {
                    "answer": answer.model_dump(mode="json"),
                    "task": chunk.task,
                    "prompt": template.fingerprint,
                    "model": self.client.model,
                    "usage": record.model_dump(mode="json"),
                },
            )
        return _Outcome(chunk, record, answer=answer)

    def _cached(self, key: str, model: type[BaseModel]) -> BaseModel | None:
        if self.cache is None:
            return None
        entry = self.cache.get(key)
        if entry is None:
            return None
        try:
            return model.model_validate(entry["answer"])
        except (KeyError, ValidationError):
            return None  # an entry from an older schema is a miss
