"""Corrections: edit, add, delete; the audit log; approval; roles; surviving reprocess."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.api.conftest import FakeExtractor, processed, wait_for

Keys = dict[str, dict[str, str]]
INDICATORS = [("办结率", "95%", 10, 9), ("满意度", "≥90%", 10, 8), ("按时完成", "100%", 5, 5)]


def _view(client: TestClient, doc_id: str, h: dict[str, str], **params: object) -> dict:
    r = client.get(f"/documents/{doc_id}/extraction", headers=h, params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_edit_add_delete_and_the_audit_log(client: TestClient, keys: Keys) -> None:
    h = keys["reviewer"]
    doc_id = processed(client, h, basic=2204.05, indicators=INDICATORS)

    r = client.patch(
        f"/documents/{doc_id}/records/budget.basic_expenditure",
        json={"value": "2,204.95", "reason": "正文为2204.95"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["path"] == "budget/basic_expenditure"
    r = client.patch(
        f"/documents/{doc_id}/records/indicators/1/score", json={"value": 7.5}, headers=h
    )
    assert r.status_code == 200
    r = client.patch(
        f"/documents/{doc_id}/records/indicators",
        json={
            "op": "add",
            "value": {
                "level3": {"value": "新增指标", "raw": "新增指标"},
                "score": {"value": 3, "raw": "3"},
            },
        },
        headers=h,
    )
    assert r.status_code == 200 and r.json()["path"] == "indicators/3"
    r = client.delete(
        f"/documents/{doc_id}/records/indicators/0", params={"reason": "重复"}, headers=h
    )
    assert r.status_code == 200
    r = client.patch(
        f"/documents/{doc_id}/records/budget/total_income", json={"value": 5000}, headers=h
    )
    assert r.status_code == 200

    view = _view(client, doc_id, h)
    basic = view["budget"]["basic_expenditure"]
    assert basic["value"] == 2204.95 and basic["unit"] == "万元"
    assert basic["raw"] == "2204.05"  # what the machine read stays as evidence
    assert [i["level3"]["value"] for i in view["indicators"]] == ["满意度", "按时完成", "新增指标"]
    assert view["indicators"][0]["score"]["value"] == 7.5
    assert view["budget"]["total_income"]["value"] == 5000
    assert "budget.total_income" not in view["missing"]
    raw = _view(client, doc_id, h, raw=True)
    assert raw["budget"]["basic_expenditure"]["value"] == 2204.05 and len(raw["indicators"]) == 3

    log = client.get(f"/documents/{doc_id}/corrections", headers=keys["uploader"]).json()
    items = log["items"]
    assert [(c["op"], c["path"]) for c in items] == [
        ("set", "budget/basic_expenditure"),
        ("set", "indicators/1/score"),
        ("add", "indicators"),
        ("delete", "indicators/0"),
        ("set", "budget/total_income"),
    ]
    first = items[0]
    assert first["old_value"]["value"] == 2204.05 and first["new_value"]["value"] == 2204.95
    assert first["reason"] == "正文为2204.95" and first["author"].startswith("test reviewer")
    assert first["extraction_version"] == 1 and first["created_at"]
    assert items[3]["old_value"]["level3"]["value"] == "办结率" and items[3]["new_value"] is None
    assert items[3]["reason"] == "重复"
    assert log["conflicts"] == []
    detail = client.get(f"/documents/{doc_id}", headers=h).json()
    assert detail["corrections"] == 5


def test_corrections_update_the_listing(client: TestClient, keys: Keys) -> None:
    h = keys["reviewer"]
    doc_id = processed(client, h, department="错误局", year=2020)
    client.patch(
        f"/documents/{doc_id}/records/report/department", json={"value": "正确局"}, headers=h
    )
    client.patch(
        f"/documents/{doc_id}/records/report/fiscal_year", json={"value": "2021"}, headers=h
    )
    doc = client.get(f"/documents/{doc_id}", headers=h).json()
    assert (doc["department"], doc["fiscal_year"]) == ("正确局", 2021)
    found = client.get("/documents", params={"department": "正确", "year": 2021}, headers=h)
    assert [d["id"] for d in found.json()["items"]] == [doc_id]


def test_approve(client: TestClient, keys: Keys) -> None:
    h = keys["reviewer"]
    doc_id = processed(client, h)
    client.patch(f"/documents/{doc_id}/records/indicators/0/score", json={"value": 8}, headers=h)
    r = client.post(f"/documents/{doc_id}/approve", json={"note": "核对无误"}, headers=h)
    assert r.status_code == 201, r.text
    approval = r.json()
    assert approval["note"] == "核对无误" and approval["extraction_version"] == 1
    assert approval["last_correction_id"] is not None
    doc = client.get(f"/documents/{doc_id}", headers=h).json()
    assert doc["approved"] is True and doc["approved_by"].startswith("test reviewer")
    listed = client.get("/documents", params={"approved": True}, headers=h).json()
    assert [d["id"] for d in listed["items"]] == [doc_id]
    assert len(client.get(f"/documents/{doc_id}/approvals", headers=h).json()) == 1
    # a correction after the sign-off changes what was approved: approved no longer, anywhere
    client.patch(f"/documents/{doc_id}/records/indicators/0/score", json={"value": 7}, headers=h)
    doc = client.get(f"/documents/{doc_id}", headers=h).json()
    assert doc["approved"] is False and doc["approved_by"] is None
    assert client.get("/documents", params={"approved": True}, headers=h).json()["items"] == []
    assert len(client.get(f"/documents/{doc_id}/approvals", headers=h).json()) == 1  # history
    assert client.post(f"/documents/{doc_id}/approve", headers=h).status_code == 201
    assert client.get(f"/documents/{doc_id}", headers=h).json()["approved"] is True


def test_roles(client: TestClient, keys: Keys) -> None:
    doc_id = processed(client, keys["uploader"])
    up = keys["uploader"]
    for method, path, body in [
        ("PATCH", f"/documents/{doc_id}/records/indicators/0/score", {"value": 1}),
        ("DELETE", f"/documents/{doc_id}/records/indicators/0", None),
        ("POST", f"/documents/{doc_id}/approve", None),
        ("POST", f"/documents/{doc_id}/reprocess", None),
        ("GET", "/keys", None),
        ("POST", "/keys", {"name": "x", "role": "admin"}),
    ]:
        r = client.request(method, path, json=body, headers=up)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["error"]["code"] == "forbidden"
    for path in ("", "/extraction", "/corrections", "/export.xlsx", "/file"):
        assert client.get(f"/documents/{doc_id}{path}", headers=up).status_code == 200, path
    assert client.get(f"/documents/{doc_id}/corrections", headers=up).json()["items"] == []
    assert client.get("/me", headers=up).json()["role"] == "uploader"
    admin_fix = client.patch(
        f"/documents/{doc_id}/records/indicators/0/score", json={"value": 1}, headers=keys["admin"]
    )
    assert admin_fix.status_code == 200


def test_corrections_survive_reprocess(
    client: TestClient, keys: Keys, extractor: FakeExtractor
) -> None:
    h = keys["reviewer"]
    doc_id = processed(client, h, basic=100.0, indicators=INDICATORS)
    fixes = [
        ("budget/basic_expenditure", 111.0),  # the fresh run will read 150: differs
        ("indicators/0/score", 9.0),  # 9 already: the machine agrees
        ("indicators/1/score", 6.0),  # the fresh run still reads 8: unchanged
    ]
    for path, value in fixes:
        assert (
            client.patch(
                f"/documents/{doc_id}/records/{path}", json={"value": value}, headers=h
            ).status_code
            == 200
        )
    client.delete(f"/documents/{doc_id}/records/indicators/2", headers=h)
    client.post(f"/documents/{doc_id}/approve", headers=h)

    extractor.basic_offset = 50.0
    r = client.post(f"/documents/{doc_id}/reprocess", json={"extractor": "rules"}, headers=h)
    assert r.status_code == 202 and r.json()["status_url"] == f"/documents/{doc_id}"
    doc = wait_for(client, doc_id, h)  # reprocess set it back to queued at once
    assert doc["extraction_version"] == 2 and extractor.calls == 2
    assert doc["approved"] is False  # a new reading needs a new review

    view = _view(client, doc_id, h)
    assert view["budget"]["basic_expenditure"]["value"] == 111.0
    assert [i["score"]["value"] for i in view["indicators"]] == [9.0, 6.0]
    assert _view(client, doc_id, h, raw=True)["budget"]["basic_expenditure"]["value"] == 150.0
    report = {e["path"]: e for e in doc["extraction"]["correction_report"]}
    assert report["budget/basic_expenditure"]["status"] == "differs"
    assert report["budget/basic_expenditure"]["fresh"] == 150.0
    assert report["budget/basic_expenditure"]["previous"] == 100.0
    assert report["indicators/0/score"]["status"] == "agrees"
    assert report["indicators/1/score"]["status"] == "unchanged"
    assert report["indicators/2"]["status"] == "reapplied"
    log = client.get(f"/documents/{doc_id}/corrections", headers=h).json()
    assert len(log["items"]) == 4 and log["conflicts"] == []
    assert log["report"] == doc["extraction"]["correction_report"]
    versions = client.get(f"/documents/{doc_id}/extractions", headers=h).json()
    assert [v["version"] for v in versions] == [1, 2]


def test_a_correction_whose_row_is_gone_is_a_conflict_not_an_error(
    client: TestClient, keys: Keys, extractor: FakeExtractor
) -> None:
    h = keys["reviewer"]
    doc_id = processed(client, h, indicators=INDICATORS)
    client.patch(f"/documents/{doc_id}/records/indicators/2/score", json={"value": 1}, headers=h)
    extractor.max_indicators = 1  # the next run reads fewer rows
    client.post(f"/documents/{doc_id}/reprocess", headers=h)
    doc = wait_for(client, doc_id, h)
    assert doc["extraction_version"] == 2
    assert doc["extraction"]["correction_report"][0]["status"] == "missing"
    log = client.get(f"/documents/{doc_id}/corrections", headers=h).json()
    assert log["conflicts"][0]["code"] == "row_not_found"
    assert len(_view(client, doc_id, h)["indicators"]) == 1


def test_concurrent_corrections_are_serialised(client: TestClient, keys: Keys) -> None:
    h = keys["reviewer"]
    doc_id = processed(client, h, indicators=INDICATORS * 3)

    def delete_first(_: int) -> int:
        r = client.delete(f"/documents/{doc_id}/records/indicators/0", headers=h)
        return r.status_code

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(delete_first, range(6)))
    assert codes == [200] * 6
    view = _view(client, doc_id, h)
    assert len(view["indicators"]) == 3
    log = client.get(f"/documents/{doc_id}/corrections", headers=h).json()
    removed = [c["old_value"]["level3"]["value"] for c in log["items"]]
    assert removed == ["办结率", "满意度", "按时完成"] * 2


def test_a_unitless_value_gets_the_fields_unit_and_a_stated_unit_is_converted(
    client: TestClient, keys: Keys
) -> None:
    h = keys["reviewer"]
    doc_id = processed(client, h, basic=2204.05, indicators=INDICATORS)
    url = f"/documents/{doc_id}/records/budget"
    assert client.patch(f"{url}/total_income", json={"value": "842.1"}, headers=h).is_success
    r = client.patch(f"{url}/carry_over", json={"value": "1,234.5元"}, headers=h)
    assert r.status_code == 200, r.text
    r = client.patch(f"{url}/project_expenditure", json={"value": "12%"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_value"

    budget = _view(client, doc_id, h)["budget"]
    income, carry = budget["total_income"], budget["carry_over"]
    assert (income["value"], income["unit"]) == (842.1, "万元")
    assert (carry["value"], carry["unit"], carry["original_unit"]) == (0.12345, "万元", "元")
    assert carry["raw"] == "1,234.5元"  # the text as typed stays beside the converted value
    log = client.get(f"/documents/{doc_id}/corrections", headers=h).json()["items"]
    assert "1,234.5元" in [(c["new_value"] or {}).get("raw") for c in log]  # the audit log too
