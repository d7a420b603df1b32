"""The review state machine and the findings' states as pure functions
(``service.store.review``): the rules the walk in test_review_flow.py relies on, case by case."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace as Row
from typing import Any

from service.records import Budget, ExtractorInfo, Indicator, ReportExport, Value
from service.store.review import (
    Action,
    Actor,
    FindingState,
    Policy,
    ReviewState,
    allowed_actions,
    decide,
    finding_key,
    finding_states,
    next_sign_off,
)
from service.store.tables import Role

NOW = datetime(2026, 12, 3, tzinfo=UTC)
REVIEWER = Actor("王科员 (key 2)", "王科员", Role.reviewer)
OTHER_REVIEWER = Actor("李科员 (key 3)", "李科员", Role.reviewer)
SENIOR = Actor("张科长 (key 1)", "张科长", Role.admin)
UPLOADER = Actor("单位 (key 4)", "单位", Role.uploader)
TWO = Policy(two_level=True)


def ev(action: str, extraction: int = 1, correction: int | None = None, **kw: Any) -> Row:
    return Row(
        action=action,
        extraction_id=extraction,
        last_correction_id=correction,
        opinion=kw.get("opinion"),
        author=kw.get("author", REVIEWER.author),
        author_name=kw.get("name", REVIEWER.name),
    )


def test_a_sign_off_holds_only_for_the_view_it_was_given_on() -> None:
    events = [ev("approve", correction=7)]
    assert decide(events, 1, 7).state == ReviewState.approved
    corrected = decide(events, 1, 8)  # a correction since
    assert corrected.state == ReviewState.pending and corrected.stale
    reread = decide(events, 2, 7)  # a new reading since
    assert reread.state == ReviewState.pending and not reread.stale


def test_two_levels_first_then_second_by_someone_else_with_the_senior_role() -> None:
    first = [ev("first_review")]
    decision = decide(first, 1, None)
    assert decision.state == ReviewState.first_approved
    assert Action.second_review not in allowed_actions(decision, REVIEWER, TWO)  # the same person
    assert Action.second_review not in allowed_actions(decision, OTHER_REVIEWER, TWO)  # role
    assert allowed_actions(decision, SENIOR, TWO) == [
        Action.opinion,
        Action.second_review,
        Action.return_,
    ]
    # the same person under another key is still the same person
    same_name = Actor("王科员 (key 9)", "王科员", Role.admin)
    assert Action.second_review not in allowed_actions(decision, same_name, TWO)
    # with 复核 open to reviewers, another reviewer may do it
    peers = Policy(two_level=True, second_role=Role.reviewer)
    assert Action.second_review in allowed_actions(decision, OTHER_REVIEWER, peers)
    done = decide([*first, ev("second_review", author=SENIOR.author, name=SENIOR.name)], 1, None)
    assert done.state == ReviewState.approved and done.first is not None
    assert allowed_actions(done, SENIOR, TWO) == [Action.opinion]
    assert next_sign_off(decide([], 1, None), TWO) == Action.first_review
    assert next_sign_off(decision, TWO) == Action.second_review
    assert next_sign_off(decision, Policy()) == Action.approve


def test_a_return_holds_until_a_new_reading_and_stays_readable() -> None:
    events = [ev("first_review"), ev("return", author=SENIOR.author, name=SENIOR.name)]
    returned = decide(events, 1, None)
    assert returned.state == ReviewState.returned
    assert allowed_actions(returned, SENIOR, TWO) == [Action.opinion]
    assert decide(events, 1, 5).state == ReviewState.returned  # corrections do not undo it
    resubmitted = decide(events, 2, None)
    assert resubmitted.state == ReviewState.pending and resubmitted.resubmitted
    assert resubmitted.last_return is events[1] and resubmitted.returned is None


def test_uploaders_take_no_steps_and_the_latest_opinion_is_the_documents() -> None:
    events = [ev("opinion", opinion="甲"), ev("approve", opinion="乙"), ev("opinion")]
    decision = decide(events, 1, None)
    assert decision.opinion is events[1]
    assert allowed_actions(decision, UPLOADER, Policy()) == []
    assert allowed_actions(decide([], 1, None), REVIEWER, Policy()) == [
        Action.opinion,
        Action.approve,
        Action.return_,
    ]


# --- findings ---------------------------------------------------------------------------------


def _export(score: float, basic: float = 100.0) -> dict[str, Any]:
    export = ReportExport(
        extractor=ExtractorInfo(name="t", version="1"),
        budget=Budget(basic_expenditure=Value(value=basic, raw=str(basic), unit="万元")),
        indicators=[
            Indicator(
                level3=Value(value="满意度", raw="满意度"),
                weight=Value(value=10.0, raw="10"),
                score=Value(value=score, raw=str(score)),
            )
        ],
    )
    return export.model_dump(mode="json")


def _with_checks(export: dict[str, Any]) -> dict[str, Any]:
    from service.extract.checks import run_checks

    found = run_checks(ReportExport.model_validate(export))
    export["findings"] = [f.model_dump(mode="json") for f in found]
    return export


def corr(cid: int, path: str) -> Row:
    return Row(id=cid, path=path, author="王科员 (key 2)", created_at=NOW)


def test_a_correction_that_removes_the_cause_resolves_the_finding() -> None:
    raw = _with_checks(_export(score=12))
    assert [f["kind"] for f in raw["findings"]] == ["score_exceeds_weight"]
    states = finding_states(raw, raw, [], [])
    assert [s.state for s in states] == [FindingState.open]
    fixed = finding_states(raw, _export(score=8), [corr(3, "indicators/0/score")], [])
    assert fixed[0].state == FindingState.corrected and fixed[0].correction_id == 3
    # a correction elsewhere leaves it open
    elsewhere = _export(score=12, basic=101)
    still = finding_states(raw, elsewhere, [corr(4, "budget/basic_expenditure")], [])
    assert still[0].state == FindingState.open


def test_a_correction_that_breaks_a_sum_raises_a_new_open_finding() -> None:
    raw = _with_checks(_export(score=9))
    assert raw["findings"] == []
    states = finding_states(raw, _export(score=11), [corr(5, "indicators/0/score")], [])
    assert [(s.finding["kind"], s.state, s.new) for s in states] == [
        ("score_exceeds_weight", FindingState.open, True)
    ]


def test_a_conflict_is_corrected_while_its_field_differs_from_the_reading() -> None:
    raw = _export(score=9)
    raw["findings"] = [
        {
            "kind": "conflict",
            "severity": "error",
            "paths": ["budget.basic_expenditure"],
            "message_zh": "前后不一致",
            "message_en": "conflict",
            "items": [],
        }
    ]
    key = finding_key("conflict", ["budget.basic_expenditure"])
    confirmed = Row(
        finding_key=key,
        state="confirmed",
        comment="口径不同",
        auto=False,
        author="王科员 (key 2)",
        created_at=NOW,
    )
    states = finding_states(raw, raw, [], [confirmed])
    assert states[0].key == key and states[0].state == FindingState.confirmed
    assert states[0].comment == "口径不同" and states[0].adoptable
    view = _export(score=9, basic=120)
    changed = finding_states(raw, view, [corr(6, "budget/basic_expenditure")], [confirmed])
    assert changed[0].state == FindingState.corrected and changed[0].correction_id == 6
    assert changed[0].comment == "口径不同"  # the reviewer's words stay
    # undone: the field holds what the machine read again
    back = finding_states(raw, raw, [corr(6, "budget/basic_expenditure"), corr(7, "x")], [])
    assert back[0].state == FindingState.open
