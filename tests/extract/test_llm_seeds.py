"""Both seed reports end to end through ``--extractor llm`` and ``auto`` against the
scripted server answering from hand-checked seed answers: sources on grounded values,
findings for ungrounded ones and for the seeds' known contradictions, calls and tokens
within the budget (≤ 10 calls, ≤ 40k tokens per report), and the merge rules of 'auto'."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from service.document import Document, Span
from service.extract.llm.merge import merge_scalars
from service.extract.pipeline import ExtractionResult, ExtractOptions, extract
from service.extract.resolve import Candidate
from service.records import ReportExport, Source, Value
from tests.extract.conftest_llm import (  # noqa: F401 - fixtures
    _llm_server_session,
    answer_from_seed,
    llm_server,
    llm_settings,
    seed_answers,
    seed_docs,
)
from tests.llm_server import ScriptedLLM

KNOWN_CONFLICTS = {
    "000": {
        "budget.project_expenditure",  # 53.5 vs 52.53
        "budget.personnel_expenditure",  # 847.72 vs 857.11
        "three_public.reception.actual",  # 0.11 vs 0.13
    },
    "002": {"budget.basic_expenditure"},  # 2204.95 vs 2204.05
}


def values(node: Any, path: str = "") -> Iterator[tuple[str, Value]]:
    """Every Value in an export, with its path (findings excluded)."""
    if isinstance(node, Value):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            if name != "findings":
                yield from values(getattr(node, name), f"{path}.{name}".strip("."))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from values(item, f"{path}[{i}]")


def _run(
    server: ScriptedLLM, settings: Any, doc: Document, answers: dict[str, Any], mode: str
) -> ExtractionResult:
    answer_from_seed(server, answers)
    return extract(doc, ExtractOptions(extractor=mode, llm=settings))  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", ["000", "002"])
@pytest.mark.parametrize("mode", ["llm", "auto"])
def test_seed_end_to_end(
    llm_server: ScriptedLLM,
    llm_settings: Any,
    seed_docs: dict[str, Document],
    seed_answers: dict[str, Any],
    seed: str,
    mode: str,
) -> None:
    doc = seed_docs[seed]
    result = _run(llm_server, llm_settings, doc, seed_answers[seed], mode)
    assert result.status == "success", result.errors
    export = result.export
    assert export.extractor.name == mode and export.extractor.model == "scripted-model"
    assert "budget@" in (export.extractor.prompt_version or "")
    # every value has a source, and a grounded one points at exactly its raw text
    found = list(values(export))
    assert len(found) > 60
    for path, value in found:
        assert value.source is not None, path
        assert value.source.grounded, path
        assert doc.slice(value.source.span) == value.raw, path
    if mode == "llm":
        assert all(v.source.extractor == "llm" for _, v in found)
    conflicts = {f.paths[0] for f in export.findings if f.kind == "conflict"}
    assert KNOWN_CONFLICTS[seed] <= conflicts
    assert not [f for f in export.findings if f.kind == "ungrounded"]
    usage = result.llm_usage
    assert usage is not None and usage.calls <= 10 and usage.total_tokens <= 40_000
    assert any(note.startswith("llm scripted-model") for note in result.notes)
    if mode == "auto":
        [note] = [n for n in result.notes if n.startswith("llm+rules:")]
        assert int(note.split()[1]) >= 20  # fields on which the LLM and the rules agreed
        # ...and those values carry both sources: the rules' and the LLM's at the same span
        both = [
            v for _, v in found
            if v.source.extractor == "rules" and any(s.extractor == "llm" for s in v.also)
        ]  # fmt: skip
        assert len(both) >= 20
        for value in both:
            for other in value.also:
                assert other.grounded and doc.slice(other.span)


def test_llm_alone_reads_the_seed_figures(
    llm_server: ScriptedLLM, llm_settings: Any, seed_docs: dict[str, Document],
    seed_answers: dict[str, Any],
) -> None:  # fmt: skip
    export = _run(llm_server, llm_settings, seed_docs["002"], seed_answers["002"], "llm").export
    assert export.report.department.value == "衡阳市生态环境局耒阳分局"
    assert export.report.budget_code.value == "089014"
    assert str(export.report.report_date.value) == "2025-03-18"
    assert export.budget.total_expenditure.value == 3157.85
    assert export.three_public.total.change.direction == "增长"
    assert len(export.projects) == 7 and len(export.indicators) == 16
    assert {i.level3.value for i in export.indicators if i.score and i.score.value == 3} >= {
        "目标任务完成率"
    }
    assert export.report.grade.value == "优秀"


def test_hallucinations_in_a_seed_become_findings_and_stay_flagged(
    llm_server: ScriptedLLM, llm_settings: Any, seed_docs: dict[str, Document],
    seed_answers: dict[str, Any],
) -> None:  # fmt: skip
    answers = copy.deepcopy(seed_answers["000"])
    answers["AchievementsAnswer"]["items"][0]["metrics"].append(
        {"name": "培训人次", "value": 480, "unit": "人次", "quote": "培训执法人员480人次"}
    )
    # the server shows only what the text holds; this reply goes around that filter
    invented = answers["ReportAnswer"] | {
        "retired": {"value": 51, "unit": "人", "quote": "退休人数15人"}
    }
    from tests.llm_server import Reply

    llm_server.push(Reply(invented, task="ReportAnswer"))
    llm_server.push(Reply(answers["AchievementsAnswer"], task="AchievementsAnswer"))
    result = _run(llm_server, llm_settings, seed_docs["000"], answers, "auto")
    ungrounded = [f for f in result.export.findings if f.kind == "ungrounded"]
    assert {f.paths[0] for f in ungrounded} == {"achievements.metrics", "staffing.retired"}
    # auto: the rules' grounded 15 wins over the LLM's 51, and the two are a conflict
    assert result.export.staffing.retired.value == 15
    metric = result.export.achievements  # the rules' items stay; the invented metric is flagged
    assert all(v.source.grounded for _, v in values(metric))


def _value(x: float, start: int, extractor: str = "rules", grounded: bool = True) -> Value:
    span = Span(start=start, end=start + 4)
    return Value(
        value=x,
        unit="万元",
        raw=str(x),
        source=Source(span=span, extractor=extractor, grounded=grounded),  # type: ignore[arg-type]
    )


def test_merge_agreement_fill_and_disagreement() -> None:
    rules = [Candidate("budget.basic_expenditure", _value(100, 10), "prose")]
    llm = [
        Candidate("budget.basic_expenditure", _value(100, 10, "llm"), "llm"),  # same statement
        Candidate("budget.project_expenditure", _value(20, 40, "llm"), "llm"),  # rules missed
        Candidate("budget.basic_expenditure", _value(120, 80, "llm"), "llm"),  # disagrees
        Candidate("budget.carry_over", _value(5, 0, "llm", grounded=False), "llm", 0.1),
    ]
    merged, report = merge_scalars(rules, llm)
    assert report.agreed == ["budget.basic_expenditure"]
    assert report.filled == ["budget.project_expenditure", "budget.carry_over"]
    # the agreeing LLM statement is not counted twice; the others join the vote
    assert [c.value.value for c in merged] == [100, 20, 120, 5]
    from service.extract.resolve import resolve

    resolution = resolve(merged)
    assert resolution.chosen["budget.basic_expenditure"].value == 100  # earliest statement
    [finding] = resolution.findings
    assert finding.paths == ["budget.basic_expenditure"]
    assert {i.value.source.extractor for i in finding.items} == {"rules", "llm"}
    assert isinstance(ReportExport.model_fields["findings"], object)


def test_cli_extract_prints_the_usage_line_on_stderr(
    llm_server: ScriptedLLM, seeds: Any, seed_answers: dict[str, Any], tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    import json

    from service.cli import main
    from service.config import get_settings

    answer_from_seed(llm_server, seed_answers["002"])
    monkeypatch.setenv("JIXIAO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JIXIAO_LLM_BASE_URL", llm_server.base_url)
    monkeypatch.setenv("JIXIAO_LLM_MODEL", "scripted-model")
    get_settings.cache_clear()
    try:
        code = main(["extract", str(seeds / "002_8a698bcfafd5a356.txt"), "--extractor", "llm"])
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    assert code == 0
    assert json.loads(out)["report"]["budget_code"]["value"] == "089014"
    [line] = [ln for ln in err.splitlines() if "calls," in ln]
    assert "llm scripted-model (tools): 5 calls" in line and "cache hits" in line
    assert (tmp_path / "llm-cache").is_dir()  # the cache lives under the data dir


def _rules_output(candidates: list[Candidate]) -> Any:
    from service.extract.resolve import resolve
    from service.extract.rules import RulesOutput, apply
    from service.records import ExtractorInfo

    resolution = resolve(candidates)
    export = apply(ReportExport(extractor=ExtractorInfo(name="rules", version="t")), resolution)
    export.findings[:0] = resolution.findings
    return RulesOutput(export=export, candidates=candidates, resolution=resolution)


def test_auto_keeps_both_sources_where_rules_and_llm_agree() -> None:
    from service.extract.llm.merge import merge

    rules = _rules_output([Candidate("budget.basic_expenditure", _value(100, 10), "prose")])
    llm = [Candidate("budget.basic_expenditure", _value(100, 10, "llm"), "llm")]
    empty = ReportExport(extractor=rules.export.extractor)
    export, report = merge(rules, empty, llm, [])
    chosen = export.budget.basic_expenditure
    assert report.agreed == ["budget.basic_expenditure"]
    assert chosen.source is not None and chosen.source.extractor == "rules"
    assert [(s.extractor, s.span.start) for s in chosen.also] == [("llm", 10)]
    assert not export.findings


def test_auto_settles_a_rules_llm_conflict_by_the_reports_arithmetic() -> None:
    from service.extract.llm.merge import merge

    rules = _rules_output(
        [
            Candidate("budget.total_expenditure", _value(100, 100), "table"),
            Candidate("budget.basic_expenditure", _value(60, 120), "table"),
            Candidate("budget.project_expenditure", _value(40, 140), "table"),
        ]
    )
    # The LLM reads a different, earlier statement: one vote each, and the earliest would
    # win the vote; 60 + 40 = 100 says the rules' 40 is the figure that holds together.
    llm = [Candidate("budget.project_expenditure", _value(50, 20, "llm"), "llm")]
    export, report = merge(rules, ReportExport(extractor=rules.export.extractor), llm, [])
    assert export.budget.project_expenditure.value == 40
    [conflict] = [f for f in export.findings if f.kind == "conflict"]
    assert conflict.paths == ["budget.project_expenditure"]
    assert report.conflicts == ["budget.project_expenditure"]
    chosen = [i for i in conflict.items if "not chosen" not in i.label]
    assert [i.value.value for i in chosen] == [40]


def test_repeated_statements_of_a_figure_all_stay_as_sources() -> None:
    from service.extract.resolve import resolve

    resolution = resolve(
        [
            Candidate("budget.basic_expenditure", _value(100, 10), "prose"),
            Candidate("budget.basic_expenditure", _value(100, 90), "table"),
            Candidate("budget.basic_expenditure", _value(100, 90), "table"),  # same place twice
        ]
    )
    chosen = resolution.chosen["budget.basic_expenditure"]
    assert chosen.source is not None and chosen.source.span.start == 10
    assert [s.span.start for s in chosen.also] == [90]
