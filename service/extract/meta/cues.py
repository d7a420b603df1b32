"""What the metadata readers share: a cue (a candidate and the strength of where it came
from), the report fields' words from ``lexicon/report.toml`` as patterns, and what a unit's
name looks like (局, 中学, 卫生院 … at its end; not 本单位 or a bare city)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from service.extract.ground import Grounder
from service.extract.lexicon import FieldEntry, lexicon
from service.extract.resolve import Candidate
from service.records import Value

CHECKED = "☒☑✓✔√■"
UNCHECKED = "☐□"
CJK = "\u4e00-\u9fff"
DEPT, YEAR = "report.department", "report.fiscal_year"
SCORE, GRADE = "report.total_score", "report.grade"
# Paths read from label/value pairs (the checkboxes have their own reader).
FORM_PATHS = (DEPT, YEAR, "report.budget_code", "report.report_date")
OPTION_PATHS = ("report.evaluation_method", "report.evaluator")


@dataclass(frozen=True)
class Cue:
    """A candidate and the rank of the cue it came from (higher is stronger)."""

    candidate: Candidate
    rank: int


def cue(path: str, v: Value | None, origin: str, rank: int, weight: float = 1.0) -> list[Cue]:
    return [] if v is None else [Cue(Candidate(path, v, origin, weight), rank)]


# --- the lexicon, as patterns ---------------------------------------------------------------


def entry(path: str) -> FieldEntry:
    return lexicon().field(path)


def _spaced(fragment: str) -> str:
    """``fragment`` with optional whitespace after each CJK character (outside character
    classes, after its quantifier): covers print “单 位 名 称” and a PDF title wrapped inside a
    word."""
    out: list[str] = []
    depth = 0
    pending = False
    for i, ch in enumerate(fragment):
        escaped = i > 0 and fragment[i - 1] == "\\"
        if pending and ch not in "?*+":
            out.append(r"\s*")
        pending = False
        out.append(ch)
        if ch == "[" and not escaped:
            depth += 1
        elif ch == "]" and not escaped:
            depth -= 1
        pending = depth == 0 and (_is_cjk(ch) or (ch in "?*+" and _is_cjk(fragment[i - 1])))
    return "".join(out)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def alternation(fragments: tuple[str, ...]) -> str:
    return "(?:" + "|".join(sorted(fragments, key=len, reverse=True)) + ")"


@cache
def label_pattern(path: str) -> str:
    """The entry's labels, spaced, with its not_before/not_after guards."""
    e = entry(path)
    before = "".join(f"(?<!{f})" for f in e.not_before)
    after = f"(?!{alternation(e.not_after)})" if e.not_after else ""
    return before + alternation(tuple(_spaced(f) for f in e.labels)) + after


@cache
def unit_kind() -> re.Pattern[str]:
    """A name that ends in a kind of unit (局, 中学, 卫生院 …)."""
    return re.compile(alternation(entry(DEPT).units) + r"$")


@cache
def any_label() -> re.Pattern[str]:
    """Any report label, whole (a cell holding one is a label, not a value)."""
    paths = [*FORM_PATHS, *OPTION_PATHS, SCORE, GRADE]
    return re.compile(r"(?:" + "|".join(label_pattern(p) for p in paths) + r")\s*[:：]?")


def excluded(path: str, clause: str) -> bool:
    rx = entry(path).excludes_pattern()
    return bool(rx) and re.search(rx, clause) is not None


def eol(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl == -1 else nl


# --- names and numbering -------------------------------------------------------------------

NUMBERING = r"(?:\d{1,2}\s*[、.．]|[(（]?\s*[一二三四五六七八九十\d]{1,2}\s*[)）、])?"
SEAL = re.compile(r"\s*[(（]\s*(?:盖\s*章|公\s*章|签\s*章|章|印\s*章)\s*[)）]\s*$")


def unit_name(
    g: Grounder, start: int, end: int, origin: str, rank: int, weight: float
) -> list[Cue]:
    """A department over [start, end) when it reads as a unit's name (not a bare city)."""
    text = g.doc.text
    # “关于XX局…的报告”, “XX局关于2023年度…”: the connectives are no part of the name.
    start += re.match(r"\s*(?:关于|对)?", text[start:end]).end()
    tail = re.search(r"(?:关于|对|的)?\s*$", text[start:end])
    end = start + tail.start()
    name = re.sub(r"\s+", "", text[start:end])
    if len(name) < 3 or not unit_kind().search(name) or generic(name):
        return []
    return cue(DEPT, g.text(start, end, origin), origin, rank, weight)


def generic(name: str) -> bool:
    """A description rather than a name: 本单位, 我院, 一所二级综合医院, 该中心."""
    return bool(re.match(r"[本我该此各全其一]|下属|所属", name)) or not re.search(f"[{CJK}]", name)
