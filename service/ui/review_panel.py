"""The review page's panel: where the document's review stands and what the visitor may do.

Owns turning ``service.store.review``'s answer (state, steps, findings) into what the
templates ``review_actions.html`` and ``review_findings.html`` draw. It decides nothing: the
buttons shown are exactly the steps the server would accept from this visitor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.store.review import (
    SIGN_OFFS,
    Action,
    Actor,
    DocumentReview,
    FindingState,
    Policy,
    ReviewState,
    allowed_actions,
    open_errors,
)

_KEY_SUFFIX = re.compile(r"\s*\(key \d+\)$")


def person(author: str | None) -> str:
    """Who, as a colleague reads it: '王科员', not the audit log's '王科员 (key 2)'."""
    return _KEY_SUFFIX.sub("", author or "")


@dataclass
class StepView:
    action: str
    who: str
    when: Any
    opinion: str | None
    reasons: list[str]
    override_reason: str | None


@dataclass
class ReviewPanel:
    """What the page shows of the review state machine (``service.store.review``): nothing
    here decides anything, it only shows the server's answer."""

    state: str  # pending | first_approved | approved | returned
    state_key: str  # the i18n key of its label (已复核 when two levels signed it off)
    stale: bool
    resubmitted: bool
    two_level: bool
    sign_offs: list[str]  # the sign-off buttons: approve | first_review | second_review
    can_return: bool
    can_write: bool  # the opinion box
    first: StepView | None
    final: StepView | None
    returned: StepView | None  # the latest 退回, in force or not
    opinion: StepView | None
    steps: list[StepView]
    open_errors: int
    open_findings: int


def _step_view(event: Any) -> StepView | None:
    if event is None:
        return None
    return StepView(
        action=event.action,
        who=event.author,
        when=event.created_at,
        opinion=event.opinion,
        reasons=[str(r) for r in event.reasons or []],
        override_reason=event.override_reason,
    )


def review_panel(review: DocumentReview, policy: Policy, principal: Any) -> ReviewPanel:
    d = review.decision
    actor = Actor(author=principal.author, name=principal.name, role=principal.role)
    actions = allowed_actions(d, actor, policy) if review.ready else []
    final = _step_view(d.final)
    state_key = f"review.state.{d.state.value}"
    if final is not None and final.action == Action.second_review:
        state_key = "review.state.approved2"
    return ReviewPanel(
        state=d.state.value,
        state_key=state_key,
        stale=d.stale,
        resubmitted=d.resubmitted and d.state == ReviewState.pending,
        two_level=policy.two_level,
        sign_offs=[a.value for a in actions if a in SIGN_OFFS],
        can_return=Action.return_ in actions,
        can_write=Action.opinion in actions,
        first=_step_view(d.first),
        final=final,
        returned=_step_view(d.last_return),
        opinion=_step_view(d.opinion),
        steps=[s for s in (_step_view(e) for e in review.events) if s is not None],
        open_errors=len(open_errors(review.findings)),
        open_findings=sum(1 for f in review.findings if f.state == FindingState.open),
    )
