"""Typed records of a 部门整体支出绩效自评报告 and the public export.

Owns: ``Value``/``Source`` (the one quantity type), the record types, the export
(``ReportExport``) with its versioned JSON Schema, and number parsing. Depends only on
``service.document``; must not import extract, store, api or ui.
"""

from service.records.export import (
    SCHEMA_VERSION,
    DocumentFile,
    DocumentInfo,
    ExtractorInfo,
    ReportExport,
    export_json_schema,
)
from service.records.models import (
    Achievement,
    Budget,
    BudgetLine,
    ExpenseItem,
    Finding,
    FindingBasis,
    FindingItem,
    Indicator,
    ListItem,
    Metric,
    PossiblyMissed,
    Project,
    Report,
    Staffing,
    ThreePublic,
    ThreePublicItem,
)
from service.records.values import Source, Value

__all__ = [
    "SCHEMA_VERSION",
    "Achievement",
    "Budget",
    "BudgetLine",
    "DocumentFile",
    "DocumentInfo",
    "ExpenseItem",
    "ExtractorInfo",
    "Finding",
    "FindingBasis",
    "FindingItem",
    "Indicator",
    "ListItem",
    "Metric",
    "PossiblyMissed",
    "Project",
    "Report",
    "ReportExport",
    "Source",
    "Staffing",
    "ThreePublic",
    "ThreePublicItem",
    "Value",
    "export_json_schema",
]
