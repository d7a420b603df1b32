"""The review workflow over HTTP, as a bureau walks it (issue 12): findings as work items,
初审 → 退回 → resubmission → 初审 → 复核, opinions and finding states in the exports, and a
correction after sign-off that makes the document unapproved everywhere at once."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from service.api.sheets import sheet_title
from service.config import Settings
from service.document import Document
from service.extract.checks import run_checks
from service.extract.pipeline import ExtractionResult
from service.records import FindingItem
from tests.api.conftest import (
    FakeExtractor,
    make_settings,
    processed,
    report_text,
    wait_for,
)

Keys = dict[str, dict[str, str]]
# 满意度 scored 12 of 10: an error finding (score over its weight) the checks raise
INDICATORS = [("办结率", "95%", 10, 9), ("满意度", "≥90%", 10, 12)]


class CheckedFakeExtractor(FakeExtractor):
    """The fake reader plus the extractor's real arithmetic checks, as the pipeline runs."""

    def __call__(self, document: Document, extractor: str, settings: Settings) -> Any:
        result: ExtractionResult = super().__call__(document, extractor, settings)
        export = result.export
        basic = export.budget.basic_expenditure
        for finding in export.findings:
            if finding.kind == "conflict" and basic is not None:  # the two sides it names
                other = basic.model_copy(update={"value": basic.number + 20, "raw": "120.5"})
                finding.items = [
                    FindingItem(path="budget.basic_expenditure", label="prose", value=basic),
                    FindingItem(path="budget.basic_expenditure", label="table", value=other),
                ]
        export.findings.extend(run_checks(export))
        return result


@pytest.fixture
def extractor() -> FakeExtractor:
    return CheckedFakeExtractor()


@pytest.fixture
def settings(tmp_path: Path, clean_database: str) -> Settings:
    return make_settings(tmp_path, clean_database, review={"two_level": True})


def _review(client: TestClient, doc_id: str, h: dict[str, str]) -> dict[str, Any]:
    r = client.get(f"/documents/{doc_id}/review", headers=h)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _step(client: TestClient, doc_id: str, h: dict[str, str], **body: Any) -> Any:
    return client.post(f"/documents/{doc_id}/review", json=body, headers=h)


def _by_kind(review: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [f for f in review["findings"] if f["kind"] == kind]
    assert len(found) == 1, review["findings"]
    return dict(found[0])


def _finding_log(client: TestClient, doc_id: str, h: dict[str, str]) -> list[dict[str, Any]]:
    r = client.get(f"/documents/{doc_id}/findings/events", headers=h)
    assert r.status_code == 200, r.text
    return list(r.json())


def _listed(client: TestClient, doc_id: str, h: dict[str, str], **params: Any) -> bool:
    r = client.get("/documents", params=params, headers=h)
    assert r.status_code == 200, r.text
    return doc_id in [d["id"] for d in r.json()["items"]]


def _sheet(data: bytes, name: str) -> list[dict[str, Any]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book[sheet_title(name)].iter_rows(values_only=True))
    # headers read '处理状态 (state)' or 'state [万元]': key each column by its field name
    names = [re.sub(r"^.*\((\w+)\)$", r"\1", str(h).split(" [")[0]) for h in rows[0]]
    return [dict(zip(names, row, strict=False)) for row in rows[1:]]


def test_the_bureau_walk(client: TestClient, keys: Keys) -> None:
    reviewer, senior, uploader = keys["reviewer"], keys["admin"], keys["uploader"]
    doc_id = processed(client, uploader, indicators=INDICATORS, conflict=True)

    # upload → findings open, the document waits for 初审
    review = _review(client, doc_id, uploader)
    assert review["state"] == "pending" and review["state_zh"] == "待审核"
    assert review["actions"] == []  # an uploader reads only
    over = _by_kind(review, "score_exceeds_weight")
    conflict = _by_kind(review, "conflict")
    assert over["severity"] == "error" and over["state"] == "open" and over["state_zh"] == "待处理"
    assert conflict["state"] == "open" and conflict["adoptable"] and not over["adoptable"]
    assert review["open_errors"] == 1 and review["open_findings"] == 2
    assert _review(client, doc_id, reviewer)["actions"] == ["opinion", "first_review", "return"]

    # 初审 with an error open needs a reason; an uploader may not take steps at all
    r = _step(client, doc_id, reviewer, action="first_review")
    assert r.status_code == 409 and r.json()["error"]["code"] == "open_errors"
    assert _step(client, doc_id, uploader, action="first_review").status_code == 403
    # 采用此值 is refused on a score finding (it has no value of the same field)
    r = client.post(
        f"/documents/{doc_id}/findings/{over['key']}/adopt", json={"item": 0}, headers=reviewer
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "review_not_allowed"

    # a correction resolves the score finding, linked to the correction
    r = client.patch(
        f"/documents/{doc_id}/records/indicators/1/score",
        json={"value": 8, "reason": "自评表得分为8"},
        headers=reviewer,
    )
    assert r.status_code == 200, r.text
    correction_id = r.json()["correction"]["id"]
    review = _review(client, doc_id, reviewer)
    over = _by_kind(review, "score_exceeds_weight")
    assert over["state"] == "corrected" and over["state_zh"] == "已更正"
    assert over["correction_id"] == correction_id and over["by"].startswith("test reviewer")
    assert review["open_errors"] == 0

    # 确认无误 on the conflict, with a comment
    r = client.post(
        f"/documents/{doc_id}/findings/{conflict['key']}/state",
        json={"state": "confirmed", "comment": "正文与表格口径不同，数值无误"},
        headers=reviewer,
    )
    assert r.status_code == 200, r.text
    conflict = _by_kind(r.json(), "conflict")
    assert (
        conflict["state"] == "confirmed" and conflict["comment"] == "正文与表格口径不同，数值无误"
    )
    assert r.json()["open_findings"] == 0
    # 忽略 without saying why is refused
    r = client.post(
        f"/documents/{doc_id}/findings/{conflict['key']}/state",
        json={"state": "ignored"},
        headers=reviewer,
    )
    assert r.status_code == 409

    # 初审
    r = _step(client, doc_id, reviewer, action="first_review", opinion="初审：数据基本准确。")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "first_approved" and r.json()["state_zh"] == "初审通过"
    assert r.json()["actions"] == ["opinion"]  # 复核 is for someone else, with the senior role
    assert _step(client, doc_id, reviewer, action="second_review").status_code == 409
    assert not _listed(client, doc_id, uploader, approved=True)

    # 退回 by the senior reviewer, with reasons
    assert _step(client, doc_id, senior, action="return").status_code == 409  # no reason
    r = _step(
        client,
        doc_id,
        senior,
        action="return",
        reasons=["绩效自评表得分与正文不一致"],
        opinion="请核实满意度指标得分后重新报送。",
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "returned" and r.json()["actions"] == ["opinion"]
    assert r.json()["returned"]["reasons"] == ["绩效自评表得分与正文不一致"]
    assert _listed(client, doc_id, uploader, review_state="returned")
    assert not _listed(client, doc_id, uploader, review_state="pending")
    assert not _listed(client, doc_id, uploader, approved=True)

    # the department resubmits its corrected report: read again, back to 待审核
    fixed = report_text(
        indicators=[("办结率", "95%", 10, 9), ("满意度", "≥90%", 10, 8)], conflict=True
    )
    r = client.post(
        f"/documents/{doc_id}/resubmit", files={"file": ("fixed.txt", fixed)}, headers=uploader
    )
    assert r.status_code == 202, r.text
    doc = wait_for(client, doc_id, uploader)
    assert doc["status"] == "done" and doc["extraction_version"] == 2
    review = _review(client, doc_id, reviewer)
    assert review["state"] == "pending" and review["resubmitted"]
    assert review["returned"]["reasons"] == ["绩效自评表得分与正文不一致"]  # still readable
    assert _by_kind(review, "conflict")["state"] == "confirmed"  # the decision carries over

    # 初审 again on the new reading, then 复核 by the senior reviewer
    assert _step(client, doc_id, reviewer, action="first_review").status_code == 200
    r = _step(client, doc_id, senior, action="second_review", opinion="复核通过。")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "approved" and r.json()["state_zh"] == "已复核"
    assert _listed(client, doc_id, uploader, approved=True)
    assert _listed(client, doc_id, uploader, review_state="approved")
    assert not _listed(client, doc_id, uploader, review_state="returned")

    # the export shows the opinions, the return and the finding states
    r = client.get(f"/documents/{doc_id}/export.xlsx", headers=uploader)
    assert r.status_code == 200
    steps = _sheet(r.content, "review")
    assert [s["action"] for s in steps] == [
        "first_review",
        "return",
        "first_review",
        "second_review",
    ]
    assert steps[1]["reasons"] == "绩效自评表得分与正文不一致"
    assert steps[1]["opinion"] == "请核实满意度指标得分后重新报送。"
    assert steps[3]["opinion"] == "复核通过。"
    findings = {f["kind"]: f for f in _sheet(r.content, "findings")}
    assert findings["conflict"]["state"] == "确认无误"
    assert findings["conflict"]["state_comment"] == "正文与表格口径不同，数值无误"
    documents = _sheet(r.content, "documents")
    assert documents[0]["review_state"] == "已复核" and documents[0]["approved"] is True

    # a correction after sign-off: unapproved in every list, filter and export at once
    r = client.patch(
        f"/documents/{doc_id}/records/budget/basic_expenditure",
        json={"value": 101},
        headers=reviewer,
    )
    assert r.status_code == 200
    doc = client.get(f"/documents/{doc_id}", headers=uploader).json()
    assert doc["approved"] is False and doc["review_state"] == "pending"
    assert not _listed(client, doc_id, uploader, approved=True)
    assert _listed(client, doc_id, uploader, approved=False)
    assert _listed(client, doc_id, uploader, review_state="pending")
    assert _review(client, doc_id, uploader)["stale"] is True
    r = client.get("/exports/documents.xlsx", headers=uploader)
    assert _sheet(r.content, "documents")[0]["review_state"] == "待审核"
    r = client.get("/exports/documents.xlsx", params={"approved": True}, headers=uploader)
    assert r.status_code == 200 and all(
        row["document_id"] != doc_id for row in _sheet(r.content, "documents")
    )


def test_adopt_a_conflicts_other_side_and_undo_it(client: TestClient, keys: Keys) -> None:
    """采用此值 on a conflict writes the other side as a correction and resolves the
    finding; undo puts the machine's value back and the finding is open again."""
    h = keys["reviewer"]
    doc_id = processed(client, h, conflict=True, basic=100.5)
    conflict = _by_kind(_review(client, doc_id, h), "conflict")
    url = f"/documents/{doc_id}/findings/{conflict['key']}/adopt"
    assert client.post(url, json={"item": 5}, headers=h).status_code == 400
    assert client.post(url, json={"item": 1}, headers=keys["uploader"]).status_code == 403
    r = client.post(url, json={"item": 1}, headers=h)
    assert r.status_code == 200, r.text
    correction = r.json()["correction"]
    assert correction["path"] == "budget/basic_expenditure"
    assert correction["new_value"]["value"] == 120.5 and correction["reason"] == "采用此值：120.5"
    adopted = _by_kind(r.json()["review"], "conflict")
    assert adopted["state"] == "corrected" and adopted["correction_id"] == correction["id"]
    view = client.get(f"/documents/{doc_id}/extraction", headers=h).json()
    assert view["budget"]["basic_expenditure"]["value"] == 120.5

    r = client.post(f"/documents/{doc_id}/corrections/{correction['id']}/undo", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["correction"]["new_value"]["value"] == 100.5
    assert _by_kind(r.json()["review"], "conflict")["state"] == "open"
    view = client.get(f"/documents/{doc_id}/extraction", headers=h).json()
    assert view["budget"]["basic_expenditure"]["value"] == 100.5
    # the audit trail of the finding holds both automatic changes
    log = [(e["state"], e["correction_id"]) for e in _finding_log(client, doc_id, h)]
    assert log == [("corrected", correction["id"]), ("open", r.json()["correction"]["id"])]


def test_one_level_review_and_approve_with_a_reason(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    settings.review.two_level = False
    h = keys["reviewer"]
    doc_id = processed(client, h, indicators=INDICATORS)
    assert _review(client, doc_id, h)["actions"] == ["opinion", "approve", "return"]
    r = client.post(f"/documents/{doc_id}/approve", json={}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "open_errors"
    r = client.post(
        f"/documents/{doc_id}/approve", json={"override_reason": "得分经电话核实无误"}, headers=h
    )
    assert r.status_code == 201, r.text
    review = _review(client, doc_id, h)
    assert review["state"] == "approved" and review["state_zh"] == "已审核"
    assert review["final"]["override_reason"] == "得分经电话核实无误"
    assert review["final"]["open_errors"] == 1 and review["actions"] == ["opinion"]
    approvals = client.get(f"/documents/{doc_id}/approvals", headers=h).json()
    assert [a["author"] for a in approvals] == [review["final"]["author"]]
