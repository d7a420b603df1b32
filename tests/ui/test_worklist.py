"""The documents list as a work queue: server-side sorting kept in the URL, key figures as
finance staff read them, 部门 as the main link, formats in words, duplicates flagged on both
uploads, bulk export/reprocess/delete with their rules, failed documents with a plain
reason, retry and delete, and the review page's way to the next document of its list."""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from service.config import Settings
from service.document import Document, SourceFormat, TextSource
from service.records.values import Value
from service.store.tables import StoredDocument
from service.ui import worklist
from service.ui.i18n import translator
from tests.api.conftest import ADMIN_KEY, FakeExtractor, make_pdf, report_text, upload, wait_for
from tests.ui.conftest import login

ADMIN = {"X-API-Key": ADMIN_KEY}
FIGURES = {
    "支出合计": ("budget", "total_expenditure", "万元"),
    "总分": ("report", "total_score", "分"),
    "执行率": ("budget", "execution_rate", "%"),
}


class FiguresExtractor(FakeExtractor):
    """``FakeExtractor`` that also reads 支出合计/总分/执行率 lines, and fails a report that
    says 损坏 (an unexpected error, as a parser bug would raise)."""

    def __call__(self, document: Document, extractor: str, settings: Settings) -> Any:
        if "损坏" in document.text:
            raise RuntimeError("ParserInternals: table_grid index 7 out of range")
        result = super().__call__(document, extractor, settings)
        export = result.export
        for line in document.text.splitlines():
            key, _, raw = line.partition(": ")
            if key in FIGURES:
                group, name, unit = FIGURES[key]
                value = Value(value=float(raw), raw=raw, unit=unit)
                setattr(getattr(export, group), name, value)
        return result


@pytest.fixture
def extractor() -> FakeExtractor:
    return FiguresExtractor()


def add(client: TestClient, dept: str, year: int = 2023, *, name: str, **figures: float) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in figures.items())
    data = report_text(department=dept, year=year) + extra.encode()
    item = upload(client, ADMIN, data, filename=name)
    assert wait_for(client, item["id"], ADMIN)["status"] in ("done", "failed")
    return str(item["id"])


@pytest.fixture
def docs(client: TestClient) -> dict[str, str]:
    """Four reports: three departments with their figures, one without any figure."""
    return {
        "水利局": add(client, "水利局", name="sl.txt", 支出合计=1234.5, 总分=87.5, 执行率=98.76),
        "教育局": add(client, "教育局", name="jy.txt", 支出合计=56789.125, 总分=92, 执行率=85.1),
        "城管局": add(client, "城管局", name="cg.txt", 支出合计=310.2, 总分=79.25, 执行率=100),
        "档案馆": add(client, "档案馆", name="da.txt"),
    }


def row_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-id="([0-9a-f]+)"', html)


def row_of(html: str, doc_id: str) -> str:
    match = re.search(rf'<tr data-id="{doc_id}".*?</tr>', html, re.S)
    assert match, doc_id
    return match.group(0)


def test_rows_follow_each_sort_with_missing_figures_last(
    client: TestClient, keys: dict[str, str], docs: dict[str, str]
) -> None:
    login(client, keys["reviewer"])
    order = {
        "sort=expenditure&dir=desc": ["教育局", "水利局", "城管局", "档案馆"],
        "sort=expenditure&dir=asc": ["城管局", "水利局", "教育局", "档案馆"],
        "sort=score&dir=desc": ["教育局", "水利局", "城管局", "档案馆"],
        "sort=score&dir=asc": ["城管局", "水利局", "教育局", "档案馆"],
        "sort=rate&dir=desc": ["城管局", "水利局", "教育局", "档案馆"],
        "": ["档案馆", "城管局", "教育局", "水利局"],  # newest upload first
    }
    for query, names in order.items():
        html = client.get(f"/ui/documents?{query}").text
        assert row_ids(html) == [docs[n] for n in names], query
    # the sort stays in the URL of the header links, the filters and the pages
    html = client.get("/ui/documents?sort=score&dir=desc&year=2023").text
    assert 'href="/ui/documents?year=2023&amp;sort=score&amp;dir=asc"' in html  # flips
    assert 'aria-sort="descending"' in html
    assert '<input type="hidden" name="sort" value="score">' in html
    # an unknown sort is the default order, not an error
    assert row_ids(client.get("/ui/documents?sort=drop+table&dir=x").text) == row_ids(
        client.get("/ui/documents").text
    )


def test_key_figures_read_as_finance_staff_read_them(
    client: TestClient, keys: dict[str, str], docs: dict[str, str]
) -> None:
    login(client, keys["uploader"])
    html = client.get("/ui/documents?sort=department&dir=asc").text
    edu = row_of(html, docs["教育局"])
    assert "56,789.13 万元" in edu  # thousands separators, two decimals, the unit
    assert "92 分" in edu and "85.10%" in edu
    water = row_of(html, docs["水利局"])
    assert "1,234.50 万元" in water and "87.5 分" in water and "98.76%" in water
    assert "79.25 分" in row_of(html, docs["城管局"])
    # 部门 is the main link, to the review page with the list's sort carried along
    link = re.search(r'<a class="main" href="([^"]+)">教育局</a>', edu)
    assert link, edu
    url = urlparse(unescape(link.group(1)))
    assert url.path == f"/ui/documents/{docs['教育局']}"
    assert parse_qs(parse_qs(url.query)["list"][0]) == {"sort": ["department"], "dir": ["asc"]}
    # the format in words, the file name under the department
    assert ">纯文本<" in edu and "jy.txt" in edu and ">TEXT<" not in edu


def test_a_second_upload_of_a_department_and_year_is_flagged_on_both(
    client: TestClient, keys: dict[str, str], docs: dict[str, str]
) -> None:
    again = add(client, "水利局", name="水利局-重新上传.txt", 支出合计=1234.5)
    other_year = add(client, "教育局", 2022, name="jy2022.txt")
    login(client, keys["reviewer"])
    html = client.get("/ui/documents").text
    flagged = {i for i in row_ids(html) if 'data-duplicate="1"' in row_of(html, i)}
    assert flagged == {docs["水利局"], again}
    assert "水利局-重新上传.txt" in row_of(html, docs["水利局"])  # the other one is named
    assert other_year not in flagged
    # on both review pages, with a link to the other
    page = client.get(f"/ui/documents/{docs['水利局']}").text
    assert 'id="dup-warning"' in page and f'href="/ui/documents/{again}"' in page
    page = client.get(f"/ui/documents/{again}").text
    assert f'href="/ui/documents/{docs["水利局"]}"' in page
    assert 'id="dup-warning"' not in client.get(f"/ui/documents/{other_year}").text


def test_save_and_next_follows_the_list_order(
    client: TestClient, keys: dict[str, str], docs: dict[str, str]
) -> None:
    login(client, keys["reviewer"])
    listed = "sort=score&dir=desc"
    page = client.get(f"/ui/documents/{docs['教育局']}", params={"list": listed}).text
    nxt = re.search(r'id="save-next" data-next="([^"]+)"', page)
    assert nxt, page
    url = urlparse(unescape(nxt.group(1)))
    assert url.path == f"/ui/documents/{docs['水利局']}"  # 92 → 87.5
    assert parse_qs(url.query)["list"] == [listed]
    assert 'href="/ui/documents?sort=score&amp;dir=desc"' in page  # back to the same list
    # the last of the list leads back to it
    page = client.get(f"/ui/documents/{docs['档案馆']}", params={"list": listed}).text
    assert re.search(r'id="save-next" data-next="/ui/documents\?sort=score&amp;dir=desc"', page)
    assert "保存并返回列表" in page
    # a filter narrows the next: only 2023's 教育局 and 水利局 match "局" with a score
    page = client.get(
        f"/ui/documents/{docs['水利局']}", params={"list": "department=局&sort=score&dir=desc"}
    ).text
    nxt = re.search(r'id="save-next" data-next="([^"]+)"', page)
    assert nxt and docs["城管局"] in nxt.group(1)


def csrf_of(client: TestClient) -> str:
    match = re.search(r'data-csrf="([^"]+)"', client.get("/ui/documents").text)
    assert match
    return match.group(1)


def test_bulk_export_holds_the_selection_only(
    client: TestClient, keys: dict[str, str], docs: dict[str, str]
) -> None:
    login(client, keys["uploader"])
    r = client.get("/exports/documents.xlsx", params={"ids": [docs["教育局"], docs["城管局"]]})
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]  # 文档列表
    header = [c.value for c in sheet[1]]
    departments = {row[header.index("部门 (department)")] for row in sheet.iter_rows(2, values_only=True)}
    assert departments == {"教育局", "城管局"}
    r = client.get("/exports/documents.csv", params={"ids": [docs["水利局"]]})
    assert r.status_code == 200 and "水利局" in r.text
    assert "教育局" not in r.text and "城管局" not in r.text


def test_bulk_reprocess_and_delete_with_their_rules(
    client: TestClient, keys: dict[str, str], docs: dict[str, str]
) -> None:
    csrf = login(client, keys["reviewer"])
    chosen = [docs["教育局"], docs["城管局"]]
    form = {"action": "reprocess", "ids": chosen, "csrf_token": csrf, "back": "/ui/documents"}
    r = client.post("/ui/documents/bulk", data=form, follow_redirects=False)
    assert r.status_code == 303 and "done=reprocess&n=2" in r.headers["location"]
    for doc_id in chosen:
        assert wait_for(client, doc_id, ADMIN)["extraction"]["version"] == 2
    assert (
        client.get(f"/documents/{docs['水利局']}", headers=ADMIN).json()["extraction"]["version"]
        == 1
    )
    # without the token, or as an uploader: refused, nothing deleted
    bad = {**form, "action": "delete", "csrf_token": "x"}
    assert client.post("/ui/documents/bulk", data=bad, follow_redirects=False).status_code == 403
    # a reviewer deletes what nobody reviewed, not a document with a correction on it
    r = client.patch(
        f"/documents/{docs['城管局']}/records/budget/basic_expenditure",
        json={"value": 99.5},
        headers=ADMIN,
    )
    assert r.status_code == 200, r.text
    form = {**form, "action": "delete"}
    r = client.post("/ui/documents/bulk", data=form, follow_redirects=True)
    assert "已删除 1 份" in r.text and "已有审核记录，只有管理员可以删除" in r.text
    assert client.get(f"/documents/{docs['教育局']}", headers=ADMIN).status_code == 404
    assert client.get(f"/documents/{docs['城管局']}", headers=ADMIN).status_code == 200
    # an admin may
    client.cookies.clear()
    csrf = login(client, ADMIN_KEY)
    form = {**form, "csrf_token": csrf, "ids": [docs["城管局"]]}
    r = client.post("/ui/documents/bulk", data=form, follow_redirects=False)
    assert "done=delete&n=1" in r.headers["location"]
    assert client.get(f"/documents/{docs['城管局']}", headers=ADMIN).status_code == 404
    assert client.get(f"/documents/{docs['城管局']}/corrections", headers=ADMIN).status_code == 404
    # an uploader may do neither
    client.cookies.clear()
    csrf = login(client, keys["uploader"])
    form = {**form, "csrf_token": csrf, "ids": [docs["水利局"]]}
    assert client.post("/ui/documents/bulk", data=form, follow_redirects=False).status_code == 403
    assert client.get(f"/documents/{docs['水利局']}", headers=ADMIN).status_code == 200


def test_failed_documents_say_why_in_plain_words_and_can_be_retried_or_deleted(
    client: TestClient, keys: dict[str, str], extractor: FakeExtractor
) -> None:
    item = upload(client, ADMIN, report_text(department="损坏局"), filename="坏文件.txt")
    assert wait_for(client, item["id"], ADMIN)["status"] == "failed"
    csrf = login(client, keys["reviewer"])
    html = client.get("/ui/documents").text
    failed = html[html.index('class="card failed-list"') :].split("</section>")[0]
    assert "坏文件.txt" in failed and "处理时出错，可以重试" in failed
    assert "ParserInternals" not in html and "RuntimeError" not in html
    assert 'value="reprocess"' in failed and 'value="delete"' in failed
    page = client.get(f"/ui/documents/{item['id']}").text
    assert "处理时出错，可以重试" in page and "ParserInternals" not in page
    form = {"action": "delete", "ids": [item["id"]], "csrf_token": csrf}
    assert client.post("/ui/documents/bulk", data=form).status_code == 200
    assert client.get(f"/documents/{item['id']}", headers=ADMIN).status_code == 404


def test_upload_limits_are_shown_before_choosing(client: TestClient, keys: dict[str, str]) -> None:
    login(client, keys["uploader"])
    html = client.get("/ui/documents").text
    assert "一次最多 20 个文件，每个不超过 50 MB。" in html
    assert 'data-max-files="20" data-max-mb="50"' in html


def test_scans_are_called_scans_and_formats_are_named_in_words() -> None:
    def doc(fmt: str, ocr_pages: int | None = None) -> StoredDocument:
        return StoredDocument(sha256="x", format=fmt, media_type="x", size=1, ocr_pages=ocr_pages)

    t = translator("zh")
    assert t(worklist.format_key(doc("pdf", 12))) == "扫描件"  # a PDF read by OCR
    assert t(worklist.format_key(doc("pdf", 0))) == "PDF"
    assert t(worklist.format_key(doc("pdf"))) == "PDF"  # read before pages were counted
    assert t(worklist.format_key(doc("jpeg"))) == "扫描件（图片）"
    assert t(worklist.format_key(doc("docx"))) == "Word 文档"
    assert t(worklist.format_key(doc("et"))) == "WPS 表格"
    every = ["pdf", *(f.value for f in SourceFormat if f.value != "pdf")]
    assert all(not t(worklist.format_key(doc(f))).startswith("fmt.") for f in every)


def test_an_uploader_gets_a_plain_link_to_the_next(
    client: TestClient, keys: dict[str, str], docs: dict[str, str]
) -> None:
    login(client, keys["uploader"])
    page = client.get(f"/ui/documents/{docs['教育局']}", params={"list": "sort=score&dir=desc"})
    link = re.search(r'<a class="btn ghost" id="save-next" href="([^"]+)">下一份 →</a>', page.text)
    assert link and docs["水利局"] in link.group(1)
    assert "保存并下一份" not in page.text


def test_a_pdf_read_by_ocr_is_listed_as_a_scan(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.jobs import worker

    real = worker.read_document

    def as_scanned(data: bytes, filename: str | None, options: Any) -> Document:
        document = real(data, filename, options)
        for page in document.pages:
            page.text_source = TextSource.ocr
        return document

    text_pdf = make_pdf([["部门: 文本局", "年度: 2023"]])
    add_pdf = upload(client, ADMIN, text_pdf, filename="文本.pdf")
    assert wait_for(client, add_pdf["id"], ADMIN)["status"] == "done"
    monkeypatch.setattr(worker, "read_document", as_scanned)
    scan = upload(client, ADMIN, make_pdf([["部门: 扫描局", "年度: 2023"], ["第二页"]]), "扫描.pdf")
    assert wait_for(client, scan["id"], ADMIN)["status"] == "done"
    login(client, keys["uploader"])
    html = client.get("/ui/documents").text
    assert '<span class="fmt">扫描件</span> <span class="muted">2 页</span>' in row_of(
        html, scan["id"]
    )
    assert '<span class="fmt">PDF</span>' in row_of(html, add_pdf["id"])
    page = client.get(f"/ui/documents/{scan['id']}").text
    assert '<span class="fmt">扫描件</span>' in page
