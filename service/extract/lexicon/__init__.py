"""The field lexicon (字段词库): what the reports call each exported field, as data.

Owns: loading and validating the TOML files beside this module (one per area: budget,
three_public, staffing, report, indicators …) into frozen ``FieldEntry`` records, and the
small regex helpers every reader uses to turn an entry's fragments into one pattern.
Knows nothing of documents; readers in ``service.extract`` read through ``lexicon()``.

File format (fixed for the team)::

    version = 1
    [[field]]
    path = "budget.total_income"     # a scalar export path, or "projects[].amount"
    kind = "money"                   # money | percent | count | score | year | date | text | grade | code
    labels = ["总收入", "收入合计"]   # prose / form labels (regex fragments)
    row_labels = []                  # table row labels, optional
    headers = []                     # table column-header words, optional
    not_before = ["项目"]            # right before a label, these rule the match out
    not_after = ["预算"]             # right after a label, these rule it out
    excludes = []                    # in the same clause: another quantity is meant
    units = ["万元", "元"]
    range = [0, 10000000]            # plausible range in the normalised unit
    [[field.example]]                # at least one; tests/extract/test_lexicon.py runs each
    text = "1、收入：842.10万元"
    value = 842.1                    # or: absent = true

A file may also hold a ``[words]`` table: named lists of regex fragments a reader needs
beside the fields (the words that make a clause about the budget rather than the final
figure, about last year, a 三公 item stated as nil …), read with ``lex.words(name)``.

Validation happens at load, so a bad file fails at start-up with one ``LexiconError``
naming the file and the entry.
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel

HERE = Path(__file__).parent
KINDS = frozenset({"money", "percent", "count", "score", "year", "date", "text", "grade", "code"})
_LIST_KEYS = ("labels", "row_labels", "headers", "not_before", "not_after", "excludes", "units")
_ENTRY_KEYS = frozenset({"path", "kind", "range", "example", "note", *_LIST_KEYS})
_EXAMPLE_KEYS = frozenset({"text", "value", "absent", "note"})
_LIST_PATH = re.compile(r"(?P<list>[a-z_.0-9]+)\[\]\.(?P<field>[a-z_0-9]+)")


class LexiconError(ValueError):
    """A lexicon file that cannot be used: the message names the file and the entry."""


@dataclass(frozen=True)
class Example:
    """A short text of ours and what the full rules extractor must read from it."""

    text: str
    value: float | int | str | None = None
    absent: bool = False
    note: str = ""


@dataclass(frozen=True)
class FieldEntry:
    """Everything known about one export path (字段): its words, units and range."""

    path: str
    kind: str
    area: str  # the file it came from (budget, three_public …)
    labels: tuple[str, ...] = ()
    row_labels: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    range: tuple[float, float] | None = None
    examples: tuple[Example, ...] = ()
    note: str = ""

    @property
    def is_list(self) -> bool:
        return "[]" in self.path

    def label_pattern(self) -> str:
        """One regex matching any label, with the ``not_before``/``not_after`` guards as
        lookarounds (so each ``not_before`` fragment must have a fixed width)."""
        return _guarded(self.labels, self.not_before, self.not_after)

    def label_patterns(self) -> tuple[str, ...]:
        """One guarded regex per label, for readers that want the longest label at a
        place (an alternation stops at the first fragment that matches)."""
        return tuple(_guarded((label,), self.not_before, self.not_after) for label in self.labels)

    def row_label_pattern(self) -> str:
        """One regex matching any table row label (same guards as the prose labels)."""
        return _guarded(self.row_labels, self.not_before, self.not_after)

    def header_pattern(self) -> str:
        return _alternation(self.headers)

    def excludes_pattern(self) -> str:
        """Words that, in the same clause, mean another quantity ('' when none)."""
        return _alternation(self.excludes)

    def in_range(self, number: float) -> bool:
        return self.range is None or self.range[0] <= number <= self.range[1]


def _alternation(fragments: tuple[str, ...]) -> str:
    if not fragments:
        return ""
    # Longest first: at one position the fuller label wins (收入合计 over 收入).
    ordered = sorted(fragments, key=len, reverse=True)
    return "(?:" + "|".join(f"(?:{f})" for f in ordered) + ")"


def _guarded(labels: tuple[str, ...], before: tuple[str, ...], after: tuple[str, ...]) -> str:
    if not labels:
        return ""
    guard_before = "".join(f"(?<!{f})" for f in before)
    guard_after = f"(?!{_alternation(after)})" if after else ""
    return f"{guard_before}{_alternation(labels)}{guard_after}"


@dataclass(frozen=True)
class Lexicon:
    """Every entry of every file, by path; ``version`` names each file's version."""

    entries: tuple[FieldEntry, ...]
    version: str
    word_lists: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def field(self, path: str) -> FieldEntry:
        entry = self._by_path.get(path)
        if entry is None:
            raise KeyError(f"no lexicon entry for {path!r}")
        return entry

    def get(self, path: str) -> FieldEntry | None:
        return self._by_path.get(path)

    def fields(self, prefix: str = "") -> tuple[FieldEntry, ...]:
        found = self._by_prefix.get(prefix)
        if found is None:  # the readers ask for a handful of prefixes, each many times
            found = self._by_prefix[prefix] = tuple(
                e for e in self.entries if e.path.startswith(prefix)
            )
        return found

    @cached_property
    def _by_path(self) -> dict[str, FieldEntry]:
        """The first entry of each path (paths are unique after ``load``)."""
        out: dict[str, FieldEntry] = {}
        for e in self.entries:
            out.setdefault(e.path, e)
        return out

    @cached_property
    def _by_prefix(self) -> dict[str, tuple[FieldEntry, ...]]:
        return {}

    def words(self, name: str) -> tuple[str, ...]:
        """The named list of a ``[words]`` table (KeyError when no file defines it)."""
        for key, fragments in self.word_lists:
            if key == name:
                return fragments
        raise KeyError(f"no lexicon word list {name!r}")

    def words_pattern(self, name: str) -> str:
        """One regex matching any fragment of the named list, longest first."""
        return _alternation(self.words(name))


# --- loading and validation ---------------------------------------------------------------


def export_paths() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The scalar paths and, per list path (``projects``, ``budget.lines``), its fields."""
    from service.extract.resolve import scalar_paths
    from service.records import ReportExport

    return frozenset(scalar_paths()), _list_fields(ReportExport, "")


def _list_fields(model: type[BaseModel], prefix: str) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        path = f"{prefix}{name}"
        if typing.get_origin(ann) is list:
            (item,) = typing.get_args(ann)
            if isinstance(item, type) and issubclass(item, BaseModel):
                out[path] = frozenset(item.model_fields)
        elif _model_of(ann) is not None:
            out.update(_list_fields(_model_of(ann), f"{path}."))
    return out


def _model_of(ann: Any) -> type[BaseModel] | None:
    from service.records import Value

    if isinstance(ann, types.UnionType) or typing.get_origin(ann) is typing.Union:
        return None
    if isinstance(ann, type) and issubclass(ann, BaseModel) and ann is not Value:
        return ann
    return None


def load_file(path: Path, scalars: frozenset[str], lists: dict[str, frozenset[str]]):  # noqa: ANN201
    """(version, entries, word lists) of one file; raises ``LexiconError`` naming file and entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise LexiconError(f"{path.name}: cannot read: {e}") from e
    version = data.get("version")
    if not isinstance(version, int):
        raise LexiconError(f"{path.name}: 'version = <int>' is required")
    extra = set(data) - {"version", "field", "words"}
    if extra:
        raise LexiconError(f"{path.name}: unknown top-level keys {sorted(extra)}")
    raw = data.get("field", [])
    if not isinstance(raw, list):
        raise LexiconError(f"{path.name}: 'field' must be an array of tables ([[field]])")
    entries = []
    for i, item in enumerate(raw):
        where = f"{path.name}: field #{i + 1} ({item.get('path', '?')})"
        entries.append(_entry(item, path.stem, where, scalars, lists))
    return version, entries, _word_lists(data.get("words", {}), path.name)


def _word_lists(table: Any, name: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise LexiconError(f"{name}: [words] must be a table of lists")
    out = {}
    for key, value in table.items():
        where = f"{name}: words.{key}"
        out[key] = _strings(value, key, where)
        try:
            re.compile(_alternation(out[key]))
        except re.error as e:
            raise LexiconError(f"{where} do not compile: {e}") from e
    return out


def _entry(
    item: dict[str, Any],
    area: str,
    where: str,
    scalars: frozenset[str],
    lists: dict[str, frozenset[str]],
) -> FieldEntry:
    unknown = set(item) - _ENTRY_KEYS
    if unknown:
        raise LexiconError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("path", "kind"):
        if not isinstance(item.get(key), str):
            raise LexiconError(f"{where}: '{key}' (a string) is required")
    _check_path(item["path"], where, scalars, lists)
    if item["kind"] not in KINDS:
        raise LexiconError(f"{where}: kind {item['kind']!r} is not one of {sorted(KINDS)}")
    lists_of = {k: _strings(item.get(k, []), k, where) for k in _LIST_KEYS}
    entry = FieldEntry(
        path=item["path"],
        kind=item["kind"],
        area=area,
        range=_range(item.get("range"), where),
        examples=_examples(item.get("example"), where),
        note=str(item.get("note", "")),
        **lists_of,
    )
    for name, pattern in (
        ("not_before", "".join(f"(?<!{f})" for f in entry.not_before)),
        ("labels", entry.label_pattern()),
        ("row_labels", entry.row_label_pattern()),
        ("headers", entry.header_pattern()),
        ("excludes", entry.excludes_pattern()),
    ):
        try:
            re.compile(pattern)
        except re.error as e:
            raise LexiconError(
                f"{where}: {name} do not compile: {e}"
                " (each not_before fragment must have a fixed width)"
            ) from e
    return entry


def _check_path(path: str, where: str, scalars: frozenset[str], lists: dict) -> None:  # noqa: ANN001
    if path in scalars:
        return
    m = _LIST_PATH.fullmatch(path)
    if m and m.group("list") in lists and m.group("field") in lists[m.group("list")]:
        return
    raise LexiconError(
        f"{where}: path {path!r} is neither a scalar export path nor a 'list[].field' "
        "path of ReportExport"
    )


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise LexiconError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)


def _range(value: Any, where: str) -> tuple[float, float] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) for v in value)
        or value[0] > value[1]
    ):
        raise LexiconError(f"{where}: 'range' must be [low, high] numbers, low <= high")
    return float(value[0]), float(value[1])


def _examples(value: Any, where: str) -> tuple[Example, ...]:
    if not isinstance(value, list) or not value:
        raise LexiconError(f"{where}: at least one [[field.example]] is required")
    out = []
    for k, ex in enumerate(value):
        at = f"{where}, example #{k + 1}"
        if not isinstance(ex, dict):
            raise LexiconError(f"{at}: must be a table")
        unknown = set(ex) - _EXAMPLE_KEYS
        if unknown:
            raise LexiconError(f"{at}: unknown keys {sorted(unknown)}")
        if not isinstance(ex.get("text"), str) or not ex["text"].strip():
            raise LexiconError(f"{at}: 'text' (a non-empty string) is required")
        absent = ex.get("absent", False)
        if not isinstance(absent, bool):
            raise LexiconError(f"{at}: 'absent' must be true or false")
        if "value" not in ex and not absent:
            raise LexiconError(f"{at}: give 'value' or 'absent = true'")
        val = ex.get("value")
        if val is not None and not isinstance(val, int | float | str):
            raise LexiconError(f"{at}: 'value' must be a number or a string")
        out.append(Example(text=ex["text"], value=val, absent=absent, note=ex.get("note", "")))
    return tuple(out)


def _joined(a: FieldEntry, b: FieldEntry, where: str) -> FieldEntry:
    """One list-record path described from two sides (the prose readers' file and the table
    readers' file): their words are joined. A scalar path is defined once; a list path's
    two descriptions must agree on its kind and range."""
    if a.kind != b.kind or (a.range and b.range and a.range != b.range):
        raise LexiconError(f"{where}: {a.path} is described with a different kind or range")

    def union(x: tuple[str, ...], y: tuple[str, ...]) -> tuple[str, ...]:
        return x + tuple(f for f in y if f not in x)

    return replace(
        a,
        area=f"{a.area}+{b.area}",
        **{k: union(getattr(a, k), getattr(b, k)) for k in _LIST_KEYS},
        range=a.range or b.range,
        examples=a.examples + b.examples,
        note="; ".join(n for n in (a.note, b.note) if n),
    )


def load(directory: Path = HERE) -> Lexicon:
    """Read and validate every ``*.toml`` file of ``directory`` (sorted by name)."""
    scalars, lists = export_paths()
    entries: list[FieldEntry] = []
    versions: list[str] = []
    seen: dict[str, str] = {}
    words: dict[str, tuple[str, ...]] = {}
    for path in sorted(directory.glob("*.toml")):
        version, file_entries, file_words = load_file(path, scalars, lists)
        versions.append(f"{path.stem}:{version}")
        for key, fragments in file_words.items():
            if key in words:
                raise LexiconError(f"{path.name}: words.{key} is already defined in another file")
            words[key] = fragments
        for e in file_entries:
            if e.path not in seen:
                seen[e.path] = path.name
                entries.append(e)
                continue
            at = next(i for i, have in enumerate(entries) if have.path == e.path)
            if not e.is_list:
                raise LexiconError(f"{path.name}: {e.path} is already defined in {seen[e.path]}")
            entries[at] = _joined(entries[at], e, f"{path.name} and {seen[e.path]}")
    return Lexicon(
        entries=tuple(entries), version=",".join(versions), word_lists=tuple(words.items())
    )


@cache
def lexicon() -> Lexicon:
    """The package's lexicon, loaded and validated once."""
    return load(HERE)


__all__ = ["Example", "FieldEntry", "Lexicon", "LexiconError", "lexicon", "load"]
