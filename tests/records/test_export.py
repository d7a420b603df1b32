"""The export contract: top-level keys, the published JSON Schema (committed file equals the
generated one), versioning, and that exports and hand labels validate against it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from service.records import SCHEMA_VERSION, ExtractorInfo, ReportExport, Source, Value
from service.records.export import SCHEMA_PATH, export_json_schema, render_schema
from tests.extract.seeds import LABELS_DIR

TOP_LEVEL = [
    "schema_version",
    "document",
    "extractor",
    "report",
    "staffing",
    "budget",
    "three_public",
    "projects",
    "indicators",
    "achievements",
    "problems",
    "measures",
    "findings",
    "missing",
    "not_stated",
    "possibly_missed",
]


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_equals_generated() -> None:
    # After a deliberate change: bump SCHEMA_VERSION, then
    #   python -c "from service.records.export import write_schema; write_schema()"
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema()


def test_schema_carries_its_version() -> None:
    schema = export_json_schema()
    assert schema["version"] == SCHEMA_VERSION == "1.3"
    assert schema["$id"].endswith(f"/{SCHEMA_VERSION}.json")
    jsonschema.Draft202012Validator.check_schema(schema)


def test_top_level_keys_are_the_contract() -> None:
    export = ReportExport(extractor=ExtractorInfo(name="rules", version="x"))
    assert list(export.model_dump(mode="json")) == TOP_LEVEL
    assert list(export_json_schema()["properties"]) == TOP_LEVEL


def test_empty_export_validates() -> None:
    export = ReportExport(extractor=ExtractorInfo(name="rules", version="x"))
    _validator().validate(export.model_dump(mode="json"))


def test_value_round_trips_through_json() -> None:
    from service.document import Span

    v = Value(
        value=3.04,
        unit="万元",
        raw="3.04万元",
        precision=0.01,
        source=Source(span=Span(start=3, end=9), page=1),
    )
    again = Value.model_validate_json(v.model_dump_json())
    assert again == v
    assert again.signed == 3.04
    assert Value(value=1.22, raw="减少1.22万元", direction="下降").signed == -1.22
    assert Value(value="提升", raw="提升").number is None


@pytest.mark.parametrize("name", ["seed_000", "seed_002"])
def test_hand_labels_are_exports(name: str) -> None:
    data = json.loads((LABELS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    notes = data.pop("notes")
    assert notes and all(isinstance(n, str) for n in notes)
    _validator().validate(data)
    export = ReportExport.model_validate(data)
    # Labels written under 1.1 still read: 1.2 only added optional fields.
    assert export.schema_version in ("1.1", SCHEMA_VERSION)
    assert export.not_stated == [] and export.possibly_missed == []
    # Labels carry no sources: they are the export format without them.
    assert all(v.source is None for v in _values(export.model_dump()))


def _values(node: object) -> list[Value]:
    out: list[Value] = []
    if isinstance(node, dict):
        if "raw" in node and "value" in node:
            out.append(Value.model_validate(node))
        else:
            for sub in node.values():
                out += _values(sub)
    elif isinstance(node, list):
        for sub in node:
            out += _values(sub)
    return out
