"""Rules time per page stays flat as reports are joined: the problems/measures lists read
the document's paragraphs once, not once per section; settling disagreeing figures runs
the full checks once, not once per combination."""

from __future__ import annotations

from typing import Any

import pytest

from service.extract import checks, narrative, rules
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.synth import Knobs, make_report, render


def _report(parts: int) -> bytes:
    lines = ["2023年度临湘市统计局部门整体支出绩效自评报告", ""]
    for i in range(1, parts + 1):
        lines += [
            f"第{i}部分 工作情况", "",
            f"本部分全年办理案件{i + 10}件，办结率95%，工作推进有序。", "",
            "存在的问题", "",
            f"一是预算编制不够精细，第{i}项支出调整较多。", "",
            f"二是绩效目标设置不够具体，第{i}项指标难以量化。", "",
            "改进措施", "",
            f"一是加强预算编制管理，细化第{i}项支出。", "",
        ]  # fmt: skip
    return "\n".join(lines).encode()


def _paragraph_passes(monkeypatch: pytest.MonkeyPatch, parts: int) -> int:
    passes = 0
    real = narrative.paragraphs

    def counting(doc: Any) -> Any:
        nonlocal passes
        passes += 1
        return real(doc)

    monkeypatch.setattr(narrative, "paragraphs", counting)
    export = extract_rules(read_document(_report(parts), "joined.txt")).export
    assert [p.text.value for p in export.problems][-2:] == [
        f"预算编制不够精细,第{parts}项支出调整较多。",
        f"绩效目标设置不够具体,第{parts}项指标难以量化。",
    ]
    assert len(export.problems) == 2 * parts and len(export.measures) == parts
    return passes


def test_lists_read_the_paragraphs_once_per_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    few = _paragraph_passes(monkeypatch, 3)
    many = _paragraph_passes(monkeypatch, 24)
    assert few == many == 1, (few, many)  # problems and measures: one pass for both


def test_settling_takes_the_check_groups_once(monkeypatch: pytest.MonkeyPatch) -> None:
    full = {"rules": 0, "counter": 0}

    def counting(where: str, real: Any) -> Any:
        def run(*args: Any) -> Any:
            full[where] += 1
            return real(*args)

        return run

    monkeypatch.setattr(rules, "run_checks", counting("rules", rules.run_checks))
    # the counter takes the checks' groups once: the constant part counted from those no
    # disputed path reaches, the rest per choice of its own paths
    monkeypatch.setattr(checks, "check_groups", counting("counter", checks.check_groups))
    spec = make_report(3, "hunan", Knobs(contradictions=3)).spec
    out = extract_rules(read_document(render(spec, "txt")[0], "r.txt"))
    # three disputed figures (8 combinations) were settled, with one full run of the checks
    disputed = [p for p, groups in out.resolution.groups.items() if len(groups) > 1]
    assert len([p for p in disputed if p.startswith(rules._ARITHMETIC)]) >= 3
    assert full == {"rules": 0, "counter": 1}


def test_innermost_by_bisection_is_the_tree_walk() -> None:
    from service.extract.sections import build_sections

    doc = read_document(_report(12), "joined.txt")
    root = build_sections(doc)
    assert len(root.children) >= 12  # the joined parts stand at the top level
    find = rules._innermost(root)
    for offset in range(-1, len(doc.text) + 2):
        assert find(offset) is root.innermost(offset), offset


def test_union_of_spans_is_any_span() -> None:
    import random

    rng = random.Random(7)
    for _ in range(200):
        spans = [
            (a, a + rng.randint(-2, 12))
            for a in (rng.randint(0, 60) for _ in range(rng.randint(0, 8)))
        ]
        inside = narrative._Union(spans)
        for offset in range(-2, 80):
            assert inside(offset) == any(a <= offset < b for a, b in spans), (spans, offset)


def test_lines_find_each_page_break_once() -> None:
    """Lines and the blank-before flags as a line-by-line search for both breaks gives."""
    import random

    from service.extract import text as text_module

    def reference(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
        out, pos, blank = [], start, False
        while pos < end:
            cands = [x for x in (text.find("\n", pos, end), text.find("\f", pos, end)) if x != -1]
            nl = min(cands) if cands else end
            s, e = pos, nl
            while e > s and text[e - 1] in " \t\u3000":
                e -= 1
            while s < e and text[s] in " \t\u3000":
                s += 1
            if e > s:
                out.append((s, e, blank))
                blank = False
            else:
                blank = True
            if nl < end and text[nl] == "\f":
                blank = True
            pos = nl + 1
        return out

    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice("支出\n\f \u3000ab") for _ in range(rng.randint(0, 40)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        assert text_module._lines(text, start, end) == reference(text, start, end), repr(text)
