"""The field lexicon: the loader rejects bad files with a message naming file and entry,
and every example of every lexicon file reads as stated through the whole rules extractor
(a plain-text document, as ``service.ingest`` reads one)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from service.extract.lexicon import Example, FieldEntry, LexiconError, lexicon, load
from service.extract.resolve import get_path
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport, Value
from service.records.numbers import rounding_tolerance

GOOD_ENTRY = """
[[field]]
path = "budget.total_income"
kind = "money"
labels = ["总收入"]
[[field.example]]
text = "总收入5万元。"
value = 5
"""


def _write(tmp_path: Path, name: str, body: str) -> Path:
    (tmp_path / name).write_text(body, encoding="utf-8")
    return tmp_path


def test_the_package_lexicon_loads_and_names_its_versions() -> None:
    lex = lexicon()
    assert lex is lexicon()  # cached
    assert "budget:" in lex.version and "three_public:" in lex.version
    entry = lex.field("budget.total_income")
    assert entry.kind == "money" and entry.area == "budget"
    assert "万元" in entry.units
    assert all(e.path.startswith("staffing.") for e in lex.fields("staffing."))
    with pytest.raises(KeyError):
        lex.field("budget.no_such_field")


def test_label_pattern_applies_the_guards(tmp_path: Path) -> None:
    body = """version = 2
[[field]]
path = "budget.total_expenditure"
kind = "money"
labels = ["总支出", "支出合计"]
not_before = ["项目"]
not_after = ["预算"]
[[field.example]]
text = "总支出5万元。"
value = 5
"""
    import re

    lex = load(_write(tmp_path, "money.toml", body))
    assert lex.version == "money:2"
    rx = re.compile(lex.field("budget.total_expenditure").label_pattern())
    assert rx.search("全年总支出")
    assert rx.search("支出合计")
    assert not rx.search("项目总支出")
    assert not rx.search("总支出预算")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (GOOD_ENTRY, "'version = <int>' is required"),
        ("version = 1\n" + GOOD_ENTRY.replace("budget.total_income", "budget.nothing"),
         "budget.nothing"),
        ("version = 1\n" + GOOD_ENTRY.replace("budget.total_income", "projects[].colour"),
         "projects[].colour"),
        ("version = 1\n" + GOOD_ENTRY.replace('kind = "money"', 'kind = "cash"'), "cash"),
        ("version = 1\n" + GOOD_ENTRY.replace('["总收入"]', '["总(收入"]'), "do not compile"),
        ("version = 1\n" + GOOD_ENTRY.replace('labels = ["总收入"]', 'not_before = ["a+"]'),
         "do not compile"),
        ("version = 1\n" + GOOD_ENTRY.split("[[field.example]]")[0], "at least one"),
        ("version = 1\n" + GOOD_ENTRY.replace("value = 5", "note = 'x'"), "'value' or 'absent"),
        ("version = 1\n" + GOOD_ENTRY.replace('kind = "money"', 'kind = "money"\nlabel = ["x"]'),
         "unknown keys ['label']"),
        ("version = 1\n" + GOOD_ENTRY.replace('kind = "money"', 'kind = "money"\nrange = [9, 1]'),
         "'range'"),
        ("version = 1\n" + GOOD_ENTRY.replace('kind = "money"\n', ""), "'kind'"),
        ("version = 1\n[[field", "cannot read"),
    ],
)  # fmt: skip
def test_bad_files_are_rejected_with_the_file_and_entry(
    tmp_path: Path, body: str, message: str
) -> None:
    _write(tmp_path, "bad.toml", body)
    with pytest.raises(LexiconError) as err:
        load(tmp_path)
    assert "bad.toml" in str(err.value)
    assert message in str(err.value)


def test_a_path_defined_in_two_files_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "a.toml", "version = 1\n" + GOOD_ENTRY)
    _write(tmp_path, "b.toml", "version = 1\n" + GOOD_ENTRY)
    with pytest.raises(LexiconError, match=r"b\.toml: budget\.total_income is already defined"):
        load(tmp_path)


def test_list_paths_are_accepted(tmp_path: Path) -> None:
    body = "version = 1\n" + GOOD_ENTRY.replace("budget.total_income", "projects[].amount")
    body += GOOD_ENTRY.replace("budget.total_income", "budget.lines[].final")
    lex = load(_write(tmp_path, "lists.toml", body))
    assert lex.field("projects[].amount").is_list
    assert lex.field("budget.lines[].final").is_list


# --- every example of every file ----------------------------------------------------------

EXAMPLES = [
    pytest.param(entry, example, id=f"{entry.path}#{k + 1}")
    for entry in lexicon().entries
    for k, example in enumerate(entry.examples)
]


def _read(text: str) -> ReportExport:
    doc = read_document(text.encode("utf-8"), "example.txt")
    return extract_rules(doc).export


def _values_at(export: ReportExport, path: str) -> list[Value]:
    if "[]" not in path:
        v = get_path(export, path)
        return [] if v is None else [v]
    list_path, field = path.split("[].")
    node: object = export
    for name in list_path.split("."):
        node = getattr(node, name)
    return [v for rec in node if isinstance(v := getattr(rec, field), Value)]  # type: ignore[union-attr]


def _equals(entry: FieldEntry, got: Value, want: object) -> bool:
    if isinstance(want, int | float) and not isinstance(want, bool):
        n = got.number
        if n is None:
            return False
        tol = 1e-6
        if entry.kind == "money":
            # Within the rounding of either side: 3,456,789.12元 is the example's 345.68 万元.
            stated = Decimal(str(want)).as_tuple().exponent
            want_precision = 10.0 ** min(int(stated), 0)
            tol = max(
                rounding_tolerance(n, got.unit, got.precision),
                rounding_tolerance(float(want), got.unit, want_precision),
                tol,
            )
        return abs(n - float(want)) <= tol
    return str(got.value) == str(want)


@pytest.mark.parametrize(("entry", "example"), EXAMPLES)
def test_lexicon_example_reads_as_stated(entry: FieldEntry, example: Example) -> None:
    values = _values_at(_read(example.text), entry.path)
    shown = [(v.value, v.unit, v.raw) for v in values]
    if example.absent:
        if example.value is None:
            assert not values, f"{entry.path} should be empty, read {shown}"
        else:
            assert not any(_equals(entry, v, example.value) for v in values), (
                f"{entry.path} must not read {example.value!r}: {shown}"
            )
        return
    assert any(_equals(entry, v, example.value) for v in values), (
        f"{entry.path}: expected {example.value!r}, read {shown} from {example.text!r}"
    )


def test_a_list_path_described_by_prose_and_table_files_is_joined(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """projects[].name: the prose readers' words in one file, the table headers in another."""
    (tmp_path / "a.toml").write_text(
        'version = 1\n[[field]]\npath = "projects[].name"\nkind = "text"\nlabels = ["专项"]\n'
        '[[field.example]]\ntext = "项目支出主要用于：甲专项12.60万元、乙补助4.05万元。"\nvalue = "甲专项"\n',
        encoding="utf-8",
    )
    (tmp_path / "b.toml").write_text(
        'version = 1\n[[field]]\npath = "projects[].name"\nkind = "text"\nheaders = ["项目名称"]\n'
        '[[field.example]]\ntext = "x"\nvalue = "y"\n',
        encoding="utf-8",
    )
    entry = load(tmp_path).field("projects[].name")
    assert entry.labels == ("专项",) and entry.headers == ("项目名称",)
    assert len(entry.examples) == 2 and entry.area == "a+b"
    (tmp_path / "b.toml").write_text(
        (tmp_path / "b.toml").read_text(encoding="utf-8").replace('"text"', '"money"', 1),
        encoding="utf-8",
    )
    with pytest.raises(LexiconError, match="different kind"):
        load(tmp_path)
