"""Extraction: a grounded ``Document`` in, typed records (``ReportExport``) out.

Owns: the section tree, the deterministic rules, the resolver of candidate values, the
consistency checks and the pipeline that runs them. Must not import the store, jobs, the
API or the UI.
"""

from service.extract.pipeline import (
    ExtractionError,
    ExtractionResult,
    ExtractOptions,
    LLMUnavailableError,
    extract,
)

__all__ = [
    "ExtractOptions",
    "ExtractionError",
    "ExtractionResult",
    "LLMUnavailableError",
    "extract",
]
