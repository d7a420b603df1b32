"""The review page stays usable for a big report: 30 pages, 50 indicator rows, every value
boxed. The server render must be well under a second and the page images lazy."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.document import BBox, Document, Span
from service.extract.pipeline import ExtractionResult
from service.records import (
    ExtractorInfo,
    Finding,
    FindingItem,
    Indicator,
    ReportExport,
    Source,
    Value,
)
from tests.api.conftest import make_pdf, processed
from tests.ui.conftest import login, ui_settings

PAGES, ROWS = 30, 50
FIELDS = ("level1", "level2", "level3", "target", "actual", "weight", "score", "deviation")


class BigExtractor:
    """Fifty indicator rows of eight boxed values, spread over the document's pages."""

    def __call__(self, document: Document, extractor: str, settings: Settings) -> Any:
        rows = []
        for i in range(ROWS):
            page = 1 + i * len(document.pages) // ROWS
            values: dict[str, Value] = {}
            for j, name in enumerate(FIELDS):
                numeric = name in ("weight", "score")
                raw = str(5 + j) if numeric else f"指标{i}-{name}"
                box = BBox(
                    x0=60 + 60 * j, y0=100 + 12 * (i % 50), x1=110 + 60 * j, y1=110 + 12 * (i % 50)
                )
                values[name] = Value(
                    value=float(raw) if numeric else raw,
                    raw=raw,
                    source=Source(span=Span(start=0, end=1), page=page, boxes=[box]),
                )
            rows.append(Indicator(**values))
        finding = Finding(
            kind="score_exceeds_weight",
            severity="warning",
            paths=["indicators[3].score"],
            message_zh="得分超过分值",
            message_en="score over weight",
            items=[FindingItem(path="indicators[3].score", value=rows[3].score)],  # type: ignore[arg-type]
        )
        export = ReportExport(
            extractor=ExtractorInfo(name="big", version="1"), indicators=rows, findings=[finding]
        )
        return ExtractionResult(export=export, status="success")


def test_big_report_renders_with_lazy_images(tmp_path: Path) -> None:
    settings = ui_settings(tmp_path)
    pdf = make_pdf([[f"第{n}页 绩效自评表"] for n in range(1, PAGES + 1)])
    with TestClient(create_app(settings, extract=BigExtractor())) as client:
        admin = {"X-API-Key": "jx_test-admin-key-0123456789abcdefghijklmnopqrstuv"}
        doc = processed(client, admin, data=pdf)
        login(client, admin["X-API-Key"])
        client.get(f"/ui/documents/{doc}")  # templates compiled, document model cached
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            page = client.get(f"/ui/documents/{doc}")
            timings.append(time.perf_counter() - started)
        assert page.status_code == 200
        html = page.text
        best, worst = min(timings), max(timings)
        print(
            f"\nreview page, {PAGES} pages x {ROWS} indicators: best {best * 1000:.0f} ms, "
            f"worst {worst * 1000:.0f} ms, {len(html) // 1024} KiB"
        )
        images = re.findall(r"<img [^>]*>", html)
        assert len(images) == PAGES
        assert all('loading="lazy"' in img for img in images)
        assert all(re.search(r'width="\d+" height="\d+"', img) for img in images)  # no reflow
        assert html.count('data-path="indicators/') >= ROWS * len(FIELDS)
        assert len(re.findall(r'<div class="box[^"]*" data-ref="indicators/', html)) == ROWS * len(
            FIELDS
        )
        # boxes are placed in page percentages: they scale with the image, no script needed
        assert re.search(r'style="left:[\d.]+%;top:[\d.]+%;width:[\d.]+%;height:[\d.]+%"', html)
        first_page_image = client.get(f"/documents/{doc}/pages/1.png?dpi=144")
        assert first_page_image.headers["content-type"] == "image/png"


class AgreeingExtractor:
    """One figure read on page 1 by the rules and, at the same place, by the LLM, and
    stated again on page 2."""

    def __call__(self, document: Document, extractor: str, settings: Settings) -> Any:
        def source(page: int, extractor: str = "rules") -> Source:
            box = BBox(x0=60, y0=100 * page, x1=120, y1=100 * page + 12)
            return Source(span=Span(start=page, end=page + 4), page=page, boxes=[box],
                          extractor=extractor)  # type: ignore[arg-type]  # fmt: skip

        value = Value(value=1059.01, unit="万元", raw="1059.01", source=source(1),
                      also=[source(1, "llm"), source(2)])  # fmt: skip
        export = ReportExport(extractor=ExtractorInfo(name="auto", version="1"))
        export.budget.basic_expenditure = value
        return ExtractionResult(export=export, status="success")


def test_every_place_stating_a_value_is_boxed_under_its_ref(tmp_path: Path) -> None:
    settings = ui_settings(tmp_path)
    pdf = make_pdf([["第1页 基本支出1059.01万元"], ["第2页 基本支出1059.01万元"]])
    with TestClient(create_app(settings, extract=AgreeingExtractor())) as client:
        admin = {"X-API-Key": "jx_test-admin-key-0123456789abcdefghijklmnopqrstuv"}
        doc = processed(client, admin, data=pdf)
        login(client, admin["X-API-Key"])
        html = client.get(f"/ui/documents/{doc}").text
    [cell] = re.findall(r'<td class="v[^"]*"[^>]*data-path="budget/basic_expenditure"[^>]*>.*?</td>',
                        html, re.S)  # fmt: skip
    assert "另有相同数值：第 1 页（大模型）、第 2 页（规则）" in cell
    assert '<span class="pg also">+2</span>' in cell
    boxes = re.findall(r'<div class="box[^"]*" data-ref="budget/basic_expenditure"', html)
    assert len(boxes) == 3  # its own box, the LLM's on the same place, the repeat on p2
