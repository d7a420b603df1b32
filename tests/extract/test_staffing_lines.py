"""A 基本概况 form flattened to one cell per line (a web page or a copied table: the label
on a line of its own, the bare number on the next, blank lines between) reads like the
“编制数：52” form; a bare number under a line of several labels stays a table's row. Every
text is invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


def _staffing(text: str) -> tuple:
    s = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export.staffing
    return tuple(v.value if v else None for v in (s.authorized, s.actual, s.retired))


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("一、基本概况\n\n人员编制\n\n21\n\n实有人数\n\n19\n\n职能职责概述\n\n负责全市考评。\n", (21, 19, None)),
        ("一、单位概况\n编制人数\n35\n在职人数\n33\n退休人数\n12\n", (35, 33, 12)),
        ("基本情况\n核定编制\n\n60\n\n在编人数\n\n57\n\n联系电话\n\n1234567\n", (60, 57, None)),
    ],
)
def test_label_and_number_on_lines_of_their_own(text: str, want: tuple) -> None:
    assert _staffing(text) == want


def test_a_number_inside_a_sentence_line_is_not_taken_bare() -> None:
    assert _staffing("一、基本情况\n编制人数\n本年新增2个科室。\n")[0] is None
