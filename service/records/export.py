"""The public JSON export of one document: ``ReportExport`` and its versioned JSON Schema.

Owns: the export's top-level shape (a stable contract), ``SCHEMA_VERSION`` and the
published schema file ``export.schema.json`` beside this module. Change the shape only
with a version bump (see docs/records.md); a test keeps the committed schema equal to
the generated one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from service.records.models import (
    Achievement,
    Budget,
    Finding,
    Indicator,
    ListItem,
    PossiblyMissed,
    Project,
    Report,
    Staffing,
    ThreePublic,
)

SCHEMA_VERSION = "1.3"
SCHEMA_PATH = Path(__file__).with_name("export.schema.json")
SCHEMA_ID = f"https://jixiao.invalid/schemas/report-export/{SCHEMA_VERSION}.json"


class DocumentFile(BaseModel):
    """One file of a report that arrived as several (a bundle) (schema 1.3)."""

    name: str | None = Field(None, description="The file's name inside the bundle.")
    format: str = Field(description="As read, told by content: 'pdf', 'xlsx', 'html'…")
    sha256: str
    pages: list[int] = Field(
        default_factory=list,
        description="The report's page numbers read from this file: a value whose "
        "``source.page`` is among them stands in this file.",
    )


class DocumentInfo(BaseModel):
    """The document the export was read from."""

    sha256: str | None = None
    filename: str | None = None
    format: str | None = None
    pages: int | None = None
    chars: int | None = Field(None, description="Length of the document text.")
    files: list[DocumentFile] = Field(
        default_factory=list,
        description="A report read from several files (format 'bundle'): each file, in "
        "order (schema 1.3). Empty for a report in one file.",
    )


class ExtractorInfo(BaseModel):
    """Which extractor produced the export, and how."""

    name: str = Field(description="'rules', 'llm', 'auto' (resolved) or 'human' (labels).")
    version: str
    model: str | None = Field(None, description="LLM model, when one was used.")
    prompt_version: str | None = None
    notes: list[str] = Field(default_factory=list)


class ReportExport(BaseModel):
    """Everything extracted from one report. Top-level keys are the contract."""

    # An export written under 1.0–1.2 still reads: minor versions only add optional fields.
    schema_version: Literal["1.0", "1.1", "1.2", "1.3"] = SCHEMA_VERSION
    document: DocumentInfo = Field(default_factory=DocumentInfo)
    extractor: ExtractorInfo
    report: Report = Field(default_factory=Report)
    staffing: Staffing = Field(default_factory=Staffing)
    budget: Budget = Field(default_factory=Budget)
    three_public: ThreePublic = Field(default_factory=ThreePublic)
    projects: list[Project] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    achievements: list[Achievement] = Field(default_factory=list)
    problems: list[ListItem] = Field(default_factory=list)
    measures: list[ListItem] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    missing: list[str] = Field(
        default_factory=list,
        description="Dotted paths of scalar fields not found. Deprecated since 1.2: the union "
        "of ``not_stated`` and the paths of ``possibly_missed``, kept for readers of 1.0/1.1.",
    )
    not_stated: list[str] = Field(
        default_factory=list,
        description="Scalar fields not found whose label words stand nowhere in the document "
        "(or that the field lexicon has no words for) (schema 1.2).",
    )
    possibly_missed: list[PossiblyMissed] = Field(
        default_factory=list,
        description="Scalar fields not found although their label words stand in the "
        "document: the places to look (schema 1.2).",
    )


def export_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``ReportExport`` (serialisation mode), with its id and version."""
    schema = ReportExport.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "version": SCHEMA_VERSION,
        **schema,
    }


def render_schema() -> str:
    return json.dumps(export_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    """Regenerate the published schema file (run after a deliberate change + version bump)."""
    path.write_text(render_schema(), encoding="utf-8")
    return path
