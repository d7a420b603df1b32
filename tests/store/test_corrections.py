"""The correction rules on the export JSON: paths, types, replay, comparison (no database)."""

from __future__ import annotations

from typing import Any

import pytest

from service.records import (
    Budget,
    ExtractorInfo,
    Indicator,
    Report,
    ReportExport,
    Staffing,
    Value,
)
from service.store.corrections import (
    InvalidValueError,
    PathNotFoundError,
    RowNotFoundError,
    StoredCorrection,
    apply_all,
    apply_correction,
    compare_with_fresh,
    is_numeric_field,
    parse_path,
    validate_export,
)


def _v(value: Any, unit: str | None = None) -> Value:
    return Value(value=value, raw=str(value), unit=unit)


def export() -> dict[str, Any]:
    return ReportExport(
        extractor=ExtractorInfo(name="rules", version="t"),
        report=Report(department=_v("某局"), fiscal_year=_v(2023)),
        staffing=Staffing(authorized=_v(30)),
        budget=Budget(basic_expenditure=_v(2204.05, "万元")),
        indicators=[
            Indicator(level3=_v("办结率"), target=_v("≥95%"), score=_v(9)),
            Indicator(level3=_v("满意度"), score=_v(8)),
        ],
        missing=["budget.total_income"],
    ).model_dump(mode="json")


@pytest.mark.parametrize(
    ("path", "tokens"),
    [
        ("budget.basic_expenditure", ["budget", "basic_expenditure"]),
        ("indicators/3/score", ["indicators", 3, "score"]),
        ("indicators[3].score", ["indicators", 3, "score"]),
        ("/projects/0/", ["projects", 0]),
    ],
)
def test_paths(path: str, tokens: list[Any]) -> None:
    assert parse_path(path) == tokens


@pytest.mark.parametrize("path", ["", "/", "3/score", "budget/../x", "a b", "budget/$x"])
def test_bad_paths(path: str) -> None:
    with pytest.raises(PathNotFoundError):
        parse_path(path)


def test_numeric_fields() -> None:
    assert is_numeric_field(["budget", "basic_expenditure"])
    assert is_numeric_field(["budget", "basic_expenditure", "value"])
    assert is_numeric_field(["indicators", 3, "score"])
    assert is_numeric_field(["three_public", "reception", "actual"])
    assert is_numeric_field(["budget", "lines", 0, "final"])
    assert not is_numeric_field(["indicators", 3, "target"])  # '≥95%' is text
    assert not is_numeric_field(["report", "budget_code"])  # leading zeros matter
    assert not is_numeric_field(["budget", "lines", 0, "item"])


def test_set_keeps_unit_raw_and_source_and_coerces_numbers() -> None:
    e = export()
    done = apply_correction(e, "set", "budget.basic_expenditure", "2,204.95")
    assert done.path == "budget/basic_expenditure"
    field = e["budget"]["basic_expenditure"]
    assert (field["value"], field["unit"], field["raw"]) == (2204.95, "万元", "2204.05")
    assert done.old["value"] == 2204.05
    apply_correction(e, "set", "staffing/authorized", 31.0)
    assert e["staffing"]["authorized"]["value"] == 31 and isinstance(
        e["staffing"]["authorized"]["value"], int
    )
    apply_correction(e, "set", "indicators/0/target", "≥96%")  # text stays text
    assert e["indicators"][0]["target"]["value"] == "≥96%"


def test_set_an_empty_field_and_unlist_it_from_missing() -> None:
    e = export()
    apply_correction(e, "set", "budget/total_income", {"value": 5000, "unit": "万元"})
    assert e["budget"]["total_income"]["value"] == 5000
    assert e["budget"]["total_income"]["raw"] == "5000"
    assert e["missing"] == []
    validate_export(e)


def test_a_filled_field_leaves_not_stated_and_possibly_missed() -> None:
    e = export()
    e["missing"] = ["budget.total_income", "budget.carry_over"]
    e["not_stated"] = ["budget.total_income"]
    place = {"span": {"start": 10, "end": 14}, "page": 1, "extractor": "rules"}
    e["possibly_missed"] = [{"path": "budget.carry_over", "label": "结转结余", "source": place}]
    apply_correction(e, "set", "budget/total_income", {"value": 5000, "unit": "万元"})
    assert e["not_stated"] == [] and e["missing"] == ["budget.carry_over"]
    assert [m["path"] for m in e["possibly_missed"]] == ["budget.carry_over"]
    apply_correction(e, "set", "budget/carry_over", {"value": 12.5, "unit": "万元"})
    assert e["possibly_missed"] == [] and e["missing"] == []
    validate_export(e)


@pytest.mark.parametrize(
    ("op", "path", "value", "error"),
    [
        ("set", "indicators/0/score", "nine", InvalidValueError),
        ("set", "indicators/0/score", float("nan"), InvalidValueError),
        ("set", "indicators/0/score", False, InvalidValueError),
        ("set", "indicators/2/score", 1, RowNotFoundError),
        ("set", "indicators/0/weight/value", 1, PathNotFoundError),  # weight is empty
        ("set", "budget/nope", 1, PathNotFoundError),
        ("set", "indicators", [], InvalidValueError),
        ("set", "budget", 1, InvalidValueError),
        ("add", "indicators/9", {}, RowNotFoundError),
        ("add", "budget/basic_expenditure", {}, PathNotFoundError),
        ("delete", "indicators/5", None, RowNotFoundError),
        ("delete", "budget", None, InvalidValueError),
        ("rename", "budget", None, Exception),
    ],
)
def test_refused(op: str, path: str, value: Any, error: type[Exception]) -> None:
    e = export()
    before = repr(e)
    with pytest.raises(error) as info:
        apply_correction(e, op, path, value)
    assert info.value.context["path"] == path  # type: ignore[attr-defined]
    assert repr(e) == before  # nothing half-applied


def test_add_and_delete_rows() -> None:
    e = export()
    top = apply_correction(e, "add", "indicators/0", {"level3": {"value": "新", "raw": "新"}})
    assert top.path == "indicators/0" and e["indicators"][0]["level3"]["value"] == "新"
    assert e["indicators"][0]["score"] is None  # filled in from the schema
    end = apply_correction(e, "add", "indicators", {"level3": {"value": "尾", "raw": "尾"}})
    assert end.path == "indicators/3"
    gone = apply_correction(e, "delete", "indicators/1")
    assert gone.old["level3"]["value"] == "办结率"
    emptied = apply_correction(e, "delete", "budget/basic_expenditure")
    assert emptied.new is None and e["budget"]["basic_expenditure"] is None
    validate_export(e)


def test_replay_and_compare_with_a_fresh_extraction() -> None:
    first = export()
    log = []
    for i, (op, path, value) in enumerate(
        [
            ("set", "budget/basic_expenditure", 2204.95),
            ("set", "indicators/0/score", 10),
            ("set", "indicators/1/score", 7),
            ("delete", "indicators/1", None),
            ("set", "report/department", "另一局"),
        ]
    ):
        done = apply_correction(first, op, path, value)
        log.append(StoredCorrection(i + 1, op, done.path, done.old, done.new))
    fresh = export()
    fresh["budget"]["basic_expenditure"]["value"] = 2204.95  # the machine now agrees
    fresh["report"]["department"]["value"] = "第三局"  # and reads something new here
    view = apply_all(fresh, log)
    assert view.applied == [1, 2, 3, 4, 5] and view.conflicts == []
    assert view.export["budget"]["basic_expenditure"]["value"] == 2204.95
    assert [i["score"]["value"] for i in view.export["indicators"]] == [10]
    status = {r["path"]: r["status"] for r in compare_with_fresh(fresh, log)}
    assert status == {
        "budget/basic_expenditure": "agrees",
        "indicators/0/score": "unchanged",
        "indicators/1/score": "unchanged",
        "indicators/1": "reapplied",
        "report/department": "differs",
    }
    short = export()
    del short["indicators"][1:]
    view = apply_all(short, log)
    assert [c["correction_id"] for c in view.conflicts] == [3, 4]
    assert view.conflicts[0]["code"] == "row_not_found"


def test_plausible_takes_kind_and_range_from_the_lexicon() -> None:
    from service.store.corrections import InvalidValueError, lexicon_path, plausible

    assert lexicon_path(["indicators", 3, "score", "value"]) == "indicators[].score"
    assert lexicon_path(["report", "fiscal_year"]) == "report.fiscal_year"
    year = ["report", "fiscal_year"]
    assert plausible(year, 2023, "report/fiscal_year") == 2023
    for bad in (1899, 99999999999, 2**63, 2023.5):
        with pytest.raises(InvalidValueError):
            plausible(year, bad, "report/fiscal_year")
    assert plausible(["budget", "total_expenditure"], 1234.56, "b") == 1234.56
    with pytest.raises(InvalidValueError):
        plausible(["budget", "total_expenditure"], 1e16, "b")


def test_a_unitless_number_in_an_empty_field_takes_the_fields_unit() -> None:
    e = export()
    apply_correction(e, "set", "budget/total_income", "842.1")
    field = e["budget"]["total_income"]
    assert (field["value"], field["unit"], field["raw"]) == (842.1, "万元", "842.1")
    apply_correction(e, "set", "budget/carry_over", {"value": 12.5})
    assert e["budget"]["carry_over"]["unit"] == "万元"
    apply_correction(e, "set", "budget/execution_rate", 97.5)
    assert e["budget"]["execution_rate"]["unit"] == "%"
    validate_export(e)


@pytest.mark.parametrize(
    ("typed", "value", "original"),
    [
        ("1,234.5元", 0.12345, "元"),
        ("12,000 元", 1.2, "元"),
        ("0元", 0, "元"),
        ("1.2亿元", 12000, "亿元"),
        ("842.10万元", 842.1, None),
    ],
)
def test_a_number_typed_with_its_unit_is_converted_and_keeps_its_text(
    typed: str, value: float, original: str | None
) -> None:
    e = export()
    apply_correction(e, "set", "budget/total_income", typed)
    field = e["budget"]["total_income"]
    assert field["value"] == pytest.approx(value) and field["unit"] == "万元"
    assert field["raw"] == typed and field["original_unit"] == original


def test_a_unit_of_another_kind_is_refused() -> None:
    with pytest.raises(InvalidValueError):
        apply_correction(export(), "set", "budget/total_income", "95%")


def test_a_bare_number_over_a_value_stated_in_yuan_is_no_longer_in_yuan() -> None:
    e = export()
    e["budget"]["basic_expenditure"]["original_unit"] = "元"
    apply_correction(e, "set", "budget/basic_expenditure", "2204.95")
    field = e["budget"]["basic_expenditure"]
    assert (field["unit"], field["original_unit"]) == ("万元", None)
