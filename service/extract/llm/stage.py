"""The LLM stage as the pipeline runs it: settings, a reused extractor, failures as data.

Owns: deciding whether an LLM is configured (no endpoint → ``None``, nothing touches the
network), keeping one ``LLMExtractor`` per configuration for the life of the process
(prompts loaded and the HTTP client opened once), and turning a run into what the
pipeline records: the export, the usage, and readable error lines. Must not import the
database or the web.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

from service.config import LLMSettings
from service.document import Document
from service.extract.llm.extractor import LLMExtraction, LLMExtractor
from service.extract.sections import Section
from service.records import PossiblyMissed

_EXTRACTORS: dict[str, LLMExtractor] = {}
_LOCK = threading.Lock()


def default_data_dir() -> Path:
    from service.config import get_settings

    return get_settings().data_dir


def get_extractor(settings: LLMSettings, data_dir: Path | None = None) -> LLMExtractor:
    """The process-wide extractor for this configuration."""
    data_dir = data_dir or default_data_dir()
    # The key must tell two API keys apart (the JSON dump masks secrets).
    secret = settings.api_key.get_secret_value() if settings.api_key else ""
    blob = "\x00".join([settings.model_dump_json(exclude={"api_key"}), secret, str(data_dir)])
    key = hashlib.sha256(blob.encode()).hexdigest()
    with _LOCK:
        extractor = _EXTRACTORS.get(key)
        if extractor is None:
            extractor = _EXTRACTORS[key] = LLMExtractor(settings, data_dir=data_dir)
        return extractor


def run_llm(
    document: Document,
    settings: LLMSettings,
    data_dir: Path | None = None,
    sections: Section | None = None,
    missed: Sequence[PossiblyMissed] | None = None,
    max_calls: int | None = None,
) -> LLMExtraction:
    """Run the LLM extractor on ``document``. Raises ``JixiaoError`` subclasses only for
    misconfiguration (bad prompts); endpoint failures come back in the result.

    ``missed`` (``auto``: the rules export's ``possibly_missed``): the chunks holding those
    places go first, told which fields to look for. ``max_calls``: a call budget per
    document (default: the settings' ``max_calls`` where the settings have one)."""
    budget = max_calls if max_calls is not None else call_budget(settings)
    return get_extractor(settings, data_dir).extract(document, sections, missed or (), budget)


def call_budget(settings: LLMSettings) -> int | None:
    """The settings' calls-per-document limit (``JIXIAO_LLM_MAX_CALLS``), None for none."""
    return settings.max_calls


def error_lines(result: LLMExtraction) -> list[str]:
    """The result's errors, one line per distinct cause ('5 of 5 calls failed: …')."""
    by_cause: dict[str, list[str]] = {}
    for line in result.errors:
        where, _, cause = line.partition(": ")
        by_cause.setdefault(cause or line, []).append(where)
    total = len(result.usage.records)
    return [
        f"{len(wheres)} of {total} LLM calls failed ({', '.join(wheres)}): {cause}"
        for cause, wheres in by_cause.items()
    ]
