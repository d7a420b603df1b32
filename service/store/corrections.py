"""Reviewer corrections on the export JSON: addressing, validation, replay and comparison.

Owns the rules for changing one value or row of a ``ReportExport`` (as its JSON dict):

* A **path** addresses a field or a row: ``budget.basic_expenditure``,
  ``indicators/3/score``, ``indicators[3].score`` and ``/projects/0`` all work; the
  canonical form joins tokens with ``/``. Integer tokens index lists.
* ``set`` changes a value. On a field that holds a ``Value`` ({value, unit, raw, source…}) a
  plain number or text replaces its ``value`` (unit, raw text and source stay as evidence
  of what the machine read; the audit log records the change); an object is merged in.
  Units are never lost: a bare number in a field without a unit takes the field's unit
  (the lexicon's kind: money in 万元, rates in %), and text with a unit ('1,234.5元') is
  converted to the field's unit and kept as the value's ``raw`` text.
  ``delete`` on a row removes it; on a field it empties it (the value is not in the report).
  ``add`` appends a row to a list (``indicators``) or inserts it before row N
  (``indicators/N``).
* The current view of a document is its latest extraction with every correction applied
  in order. Replaying onto a *fresh* extraction may find a path gone (a row that no longer
  exists): that correction is reported as a conflict, never a crash.

Pure functions over dicts: no database, no HTTP. ``service.store.repo`` persists the log.
"""

from __future__ import annotations

import copy
import math
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from service.errors import InputError
from service.extract.lexicon import lexicon
from service.records import ReportExport, Value
from service.records.numbers import MONEY_UNIT, parse_quantity

Token = str | int


class CorrectionError(InputError):
    code = "invalid_correction"
    message_zh = "更正无效。"
    message_en = "The correction is not valid."


class PathNotFoundError(CorrectionError):
    code = "path_not_found"
    message_zh = "更正的字段路径不存在。"
    message_en = "The field path of the correction does not exist."


class RowNotFoundError(CorrectionError):
    code = "row_not_found"
    message_zh = "要更正的行不存在。"
    message_en = "The row to correct does not exist."


class InvalidValueError(CorrectionError):
    code = "invalid_value"
    message_zh = "更正的值类型不对。"
    message_en = "The corrected value has the wrong type for this field."


# --- paths -------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}|\d{1,6}")


def parse_path(path: str) -> list[Token]:
    """``'indicators[3].score'`` → ``['indicators', 3, 'score']``."""
    cleaned = re.sub(r"\[(\d+)\]", r".\1", path.strip()).strip("/.")
    if not cleaned:
        raise PathNotFoundError("empty path", path=path)
    tokens: list[Token] = []
    for part in re.split(r"[./]", cleaned):
        if not _TOKEN.fullmatch(part):
            raise PathNotFoundError(f"bad path segment {part!r}", path=path)
        tokens.append(int(part) if part.isdigit() else part)
    if isinstance(tokens[0], int):
        raise PathNotFoundError("a path starts with a record name", path=path)
    return tokens


def canonical_path(tokens: list[Token]) -> str:
    return "/".join(str(t) for t in tokens)


def dotted_path(tokens: list[Token]) -> str:
    """The export's own notation (``missing`` and findings use ``budget.basic_expenditure``)."""
    return ".".join(str(t) for t in tokens)


# --- which fields are numbers -------------------------------------------------------------

_NUMERIC_ROW_FIELDS: dict[str, frozenset[str]] = {
    "projects": frozenset({"amount", "budget", "previous"}),
    "indicators": frozenset({"weight", "score"}),
    "basic_breakdown": frozenset({"amount"}),
    "lines": frozenset({"previous_final", "budget", "final"}),
}


def is_numeric_field(tokens: list[Token]) -> bool:
    """Whether the ``Value`` at ``tokens`` must hold a number (money, counts, scores, rates).

    Spelled out rather than guessed from the schema, because ``Value.value`` admits text
    everywhere (targets like '≥95%' are text) and a reviewer typing 'abc' into a score must
    be told no.
    """
    names = [t for t in tokens if isinstance(t, str)]
    if names and names[-1] == "value":
        names = names[:-1]
    if not names:
        return False
    head, last = names[0], names[-1]
    if head in ("staffing", "three_public"):
        return True
    if head == "report":
        return last in ("fiscal_year", "total_score")
    if head == "budget":
        if len(names) == 2:
            return True
        return len(names) == 3 and last in _NUMERIC_ROW_FIELDS.get(names[1], frozenset())
    if head in ("projects", "indicators") and len(names) == 2:
        return last in _NUMERIC_ROW_FIELDS[head]
    return False


def coerce_number(value: Any) -> int | float:
    """A JSON number, or text that is one ('1,234.5'); else ``InvalidValueError``."""
    if isinstance(value, bool):
        raise InvalidValueError("expected a number, got true/false")
    if isinstance(value, int | float):
        number: float = value
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        try:
            number = float(text)
        except ValueError:
            raise InvalidValueError(f"expected a number, got {value!r}") from None
    else:
        raise InvalidValueError(f"expected a number, got {type(value).__name__}")
    if not math.isfinite(number):
        raise InvalidValueError("expected a finite number")
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


# numbers no report states: beyond them a value is a typing slip (or an attack on a column)
_LIMIT = 1e15


def lexicon_path(tokens: list[Token]) -> str:
    """``['indicators', 3, 'score', 'value']`` → ``'indicators[].score'``, the lexicon's
    spelling of a place."""
    names = list(tokens[:-1] if tokens and tokens[-1] == "value" else tokens)
    out = ""
    for tok in names:
        out += "[]" if isinstance(tok, int) else ("." if out else "") + tok
    return out


def plausible(tokens: list[Token], number: int | float, path: str) -> int | float:
    """``number`` if the field can hold it: the field lexicon's kind and plausible range
    (a year is a whole number in its range; a count is whole), else ``InvalidValueError``."""
    if abs(number) >= _LIMIT:
        raise InvalidValueError(f"{number!r} is out of range", path=path)
    entry = lexicon().get(lexicon_path(tokens))
    if entry is None:
        return number
    if entry.kind in ("year", "count") and not isinstance(number, int):
        raise InvalidValueError(f"{entry.kind} must be a whole number, got {number!r}", path=path)
    if entry.range is not None and not entry.in_range(number):
        low, high = entry.range
        raise InvalidValueError(
            f"{number!r} is outside the plausible range {low:g}–{high:g} of this field", path=path
        )
    return number


# --- the schema at a path -------------------------------------------------------------------


def _unwrap(tp: Any) -> Any:
    """``X | None`` → ``X``."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def schema_at(tokens: list[Token]) -> Any:
    """The declared type at ``tokens`` in ``ReportExport`` (a model class, ``list[X]``, a
    scalar type), or None when the schema has no such place."""
    tp: Any = ReportExport
    for tok in tokens:
        tp = _unwrap(tp)
        if isinstance(tok, int):
            if typing.get_origin(tp) is not list:
                return None
            tp = typing.get_args(tp)[0]
        else:
            if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
                return None
            info = tp.model_fields.get(tok)
            if info is None:
                return None
            tp = info.annotation
    return _unwrap(tp)


def _is_model(tp: Any, cls: type[BaseModel] | None = None) -> bool:
    return isinstance(tp, type) and issubclass(tp, cls or BaseModel)


# --- applying ---------------------------------------------------------------------------


@dataclass
class Applied:
    """What one correction did: the canonical path, the value before and after."""

    path: str
    old: Any
    new: Any


def _container(export: dict[str, Any], tokens: list[Token], path: str) -> tuple[Any, Token]:
    """The parent of the addressed place and the last token, checking every step exists."""
    node: Any = export
    for i, tok in enumerate(tokens[:-1]):
        node = _step(node, tok, tokens[: i + 1], path)
        if node is None:
            where = canonical_path(tokens[: i + 1])
            raise PathNotFoundError(f"{where} is empty; correct it as a whole", path=path)
    last = tokens[-1]
    _step(node, last, tokens, path)  # existence check of the last step
    return node, last


def _step(node: Any, tok: Token, prefix: list[Token], path: str) -> Any:
    if isinstance(tok, int):
        if not isinstance(node, list):
            raise PathNotFoundError(f"{canonical_path(prefix[:-1])} is not a list", path=path)
        if not 0 <= tok < len(node):
            raise RowNotFoundError(
                f"{canonical_path(prefix[:-1])} has {len(node)} rows; no row {tok}",
                path=path,
                rows=len(node),
            )
        return node[tok]
    if not isinstance(node, dict) or tok not in node:
        raise PathNotFoundError(f"no field {canonical_path(prefix)}", path=path)
    return node[tok]


def _validation_error(exc: ValidationError, path: str) -> InvalidValueError:
    problems = [
        {"loc": ".".join(str(p) for p in err["loc"]), "msg": err["msg"]} for err in exc.errors()
    ][:10]
    first = problems[0] if problems else {"loc": "", "msg": "invalid"}
    where = f" at {first['loc']}" if first["loc"] else ""
    return InvalidValueError(f"{first['msg']}{where}", path=path, problems=problems)


_KIND_UNITS = {"money": MONEY_UNIT, "percent": "%", "score": "分"}


def field_unit(tokens: list[Token]) -> str | None:
    """The unit a number typed into this field is in when it states none: the lexicon's
    kind (money in 万元, rates in %, scores in 分) or a count's first unit."""
    entry = lexicon().get(lexicon_path(tokens))
    if entry is None:
        return None
    return _KIND_UNITS.get(entry.kind) or (entry.units[0] if entry.units else None)


def _typed_number(tokens: list[Token], old: Any, new: Any, path: str) -> dict[str, Any]:
    """A number typed into a numeric field, as Value fields: text with a unit
    ('1,234.5元') is converted to the field's unit and keeps its text as ``raw``; a bare
    number keeps the unit the field already has, else takes the field's unit."""
    unit = field_unit(tokens)
    q = parse_quantity(new) if isinstance(new, str) else None
    if q is not None and q.value is not None and q.unit is not None:
        stated = q.original_unit or q.unit
        if unit is not None and q.unit != unit:
            raise InvalidValueError(f"{new!r} is not in {unit}", path=path, unit=unit)
        value = plausible(tokens, coerce_number(q.value), path)
        return {
            "value": value,
            "unit": q.unit,
            "raw": new.strip(),
            "original_unit": (stated if stated != q.unit else None),
        }
    value = plausible(tokens, coerce_number(new), path)
    had = old.get("unit") if isinstance(old, dict) else None
    return {"value": value, "unit": had or unit, "original_unit": None}


def _new_field_value(tokens: list[Token], old: Any, new: Any, path: str) -> Any:
    """The stored form of ``set`` on a ``Value`` field (see the module docstring)."""
    numeric = is_numeric_field(tokens)
    if numeric and new is not None and not isinstance(new, dict | list):
        typed = _typed_number(tokens, old, new, path)
        merged = {**old, **typed} if isinstance(old, dict) else typed
        merged.setdefault("raw", str(typed["value"]))
        try:
            return Value.model_validate(merged).model_dump(mode="json")
        except ValidationError as exc:
            raise _validation_error(exc, path) from None
    if isinstance(new, dict):
        merged = {**old, **new} if isinstance(old, dict) else dict(new)
        if numeric and merged.get("value") is not None:
            merged["value"] = plausible(tokens, coerce_number(merged["value"]), path)
            merged["unit"] = merged.get("unit") or field_unit(tokens)
        merged.setdefault("raw", "" if merged.get("value") is None else str(merged["value"]))
    elif isinstance(new, list):
        raise InvalidValueError("a field takes a value, not a list", path=path)
    else:
        value = plausible(tokens, coerce_number(new), path) if numeric and new is not None else new
        if isinstance(old, dict):
            merged = {**old, "value": value}
        else:
            merged = {"value": value, "raw": "" if value is None else str(value)}
    try:
        return Value.model_validate(merged).model_dump(mode="json")
    except ValidationError as exc:
        raise _validation_error(exc, path) from None


def _set(export: dict[str, Any], tokens: list[Token], new: Any, path: str) -> Applied:
    parent, key = _container(export, tokens, path)
    old = parent[key]
    declared = schema_at(tokens)
    if isinstance(old, list) or typing.get_origin(declared) is list:
        raise InvalidValueError("a list is changed row by row: use add or delete", path=path)
    if _is_model(declared, Value):
        stored = _new_field_value(tokens, old, new, path)
    elif _is_model(declared) or isinstance(old, dict):
        if not isinstance(new, dict):
            raise InvalidValueError("this place holds a record; give an object", path=path)
        merged = {**old, **new} if isinstance(old, dict) else new
        try:
            stored = declared.model_validate(merged).model_dump(mode="json")
        except ValidationError as exc:
            raise _validation_error(exc, path) from None
    else:  # a scalar inside a record: Value.value, Value.unit, Finding.message_zh ...
        if is_numeric_field(tokens) and tokens[-1] == "value" and new is not None:
            new = plausible(tokens, coerce_number(new), path)
        elif isinstance(new, dict | list):
            raise InvalidValueError("this place holds a single value", path=path)
        stored = new
    parent[key] = stored
    _unlist_missing(export, tokens, stored)
    return Applied(canonical_path(tokens), old, stored)


def _unlist_missing(export: dict[str, Any], tokens: list[Token], stored: Any) -> None:
    """A field the reviewer filled in is no longer 'not found': neither in ``missing`` nor
    in ``not_stated`` (paths) nor in ``possibly_missed`` (places, each with its path)."""
    if stored is None:
        return
    dotted = dotted_path(tokens)
    for key in ("missing", "not_stated"):
        if isinstance(export.get(key), list):
            export[key] = [m for m in export[key] if m != dotted]
    if isinstance(export.get("possibly_missed"), list):
        export["possibly_missed"] = [
            m
            for m in export["possibly_missed"]
            if not (isinstance(m, dict) and m.get("path") == dotted)
        ]


def _add(
    export: dict[str, Any], tokens: list[Token], row: Any, index: int | None, path: str
) -> Applied:
    parent, key = _container(export, tokens, path)
    rows = parent[key]
    declared = schema_at(tokens)
    if not isinstance(rows, list):
        raise PathNotFoundError(f"{canonical_path(tokens)} is not a list of rows", path=path)
    item_type = typing.get_args(declared)[0] if typing.get_origin(declared) is list else None
    if _is_model(item_type):
        if not isinstance(row, dict):
            raise InvalidValueError("a row is an object of fields", path=path)
        try:
            row = item_type.model_validate(row).model_dump(mode="json")
        except ValidationError as exc:
            raise _validation_error(exc, path) from None
    position = len(rows) if index is None else index
    if not 0 <= position <= len(rows):
        raise RowNotFoundError(f"cannot insert at {position}: {len(rows)} rows", path=path)
    rows.insert(position, row)
    return Applied(canonical_path([*tokens, position]), None, row)


def _delete(export: dict[str, Any], tokens: list[Token], path: str) -> Applied:
    parent, key = _container(export, tokens, path)
    old = parent[key]
    if isinstance(key, int):
        del parent[key]
        return Applied(canonical_path(tokens), old, None)
    declared = schema_at(tokens)
    if isinstance(old, list) or typing.get_origin(declared) is list:
        raise InvalidValueError("delete the rows of a list one by one", path=path)
    if _is_model(declared) and not _is_model(declared, Value):
        raise InvalidValueError("a record group cannot be deleted; empty its fields", path=path)
    container_type = schema_at(tokens[:-1])
    if _is_model(container_type):
        info = container_type.model_fields.get(str(key))
        if info is not None and info.is_required():
            raise InvalidValueError(f"{canonical_path(tokens)} is required", path=path)
    parent[key] = None
    return Applied(canonical_path(tokens), old, None)


def apply_correction(export: dict[str, Any], op: str, path: str, value: Any = None) -> Applied:
    """Apply one correction to ``export`` in place. Raises ``CorrectionError`` subclasses.

    ``add`` appends to the list at ``path``, or inserts before row N when the path ends in
    ``/N`` (``indicators/0`` inserts at the top).
    """
    try:
        tokens = parse_path(path)
        if op == "set":
            return _set(export, tokens, value, path)
        if op == "add":
            last = tokens[-1]
            if isinstance(last, int):
                return _add(export, tokens[:-1], value, last, path)
            return _add(export, tokens, value, None, path)
        if op == "delete":
            return _delete(export, tokens, path)
        raise CorrectionError(f"unknown operation {op!r}: use set, add or delete")
    except CorrectionError as exc:
        exc.context.setdefault("path", path)
        raise


def validate_export(export: dict[str, Any]) -> None:
    """The whole view still conforms to the export schema (after a new correction)."""
    try:
        ReportExport.model_validate(export)
    except ValidationError as exc:
        raise _validation_error(exc, "") from None


# --- replay and comparison ----------------------------------------------------------------


@dataclass
class StoredCorrection:
    """The fields of a logged correction that replay needs (the DB row has more)."""

    id: int
    op: str
    path: str
    old_value: Any = None
    new_value: Any = None


@dataclass
class View:
    """A document's current records: the extraction with corrections applied."""

    export: dict[str, Any]
    applied: list[int] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def apply_all(export: dict[str, Any], corrections: list[StoredCorrection]) -> View:
    """Replay ``corrections`` in order onto a copy of ``export``."""
    view = View(copy.deepcopy(export))
    for c in corrections:
        try:
            apply_correction(view.export, c.op, c.path, c.new_value)
        except CorrectionError as exc:
            view.conflicts.append({"correction_id": c.id, "path": c.path, **exc.to_dict()})
        else:
            view.applied.append(c.id)
    return view


def value_at(export: dict[str, Any], path: str) -> tuple[bool, Any]:
    """(found, the plain value) at ``path``: a ``Value`` gives its ``value``."""
    node: Any = export
    for tok in parse_path(path):
        in_list = isinstance(tok, int) and isinstance(node, list) and 0 <= tok < len(node)
        in_dict = isinstance(tok, str) and isinstance(node, dict) and tok in node
        if not (in_list or in_dict):
            return False, None
        node = node[tok]
    return True, plain(node)


def plain(node: Any) -> Any:
    return node.get("value") if isinstance(node, dict) and "raw" in node else node


def compare_with_fresh(
    fresh: dict[str, Any], corrections: list[StoredCorrection]
) -> list[dict[str, Any]]:
    """For each correction: does the fresh extraction now agree with the reviewer?

    ``status`` is ``agrees`` (the machine now reads the corrected value), ``unchanged`` (it
    still reads what was corrected), ``differs`` (it reads something new: look again) or
    ``missing`` (the place is gone). Row additions and deletions are reported as
    ``reapplied`` (or ``missing``) since rows have no identity across runs.
    """
    report = []
    for c in corrections:
        found, fresh_value = value_at(fresh, c.path)
        entry: dict[str, Any] = {"correction_id": c.id, "op": c.op, "path": c.path}
        if c.op != "set":
            entry["status"] = "reapplied" if found or c.op == "add" else "missing"
        elif not found:
            entry["status"] = "missing"
        else:
            corrected, previous = plain(c.new_value), plain(c.old_value)
            entry.update(corrected=corrected, previous=previous, fresh=fresh_value)
            if _same(fresh_value, corrected):
                entry["status"] = "agrees"
            elif _same(fresh_value, previous):
                entry["status"] = "unchanged"
            else:
                entry["status"] = "differs"
        report.append(entry)
    return report


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return not isinstance(a, bool) and not isinstance(b, bool) and math.isclose(a, b)
    return bool(a == b)
