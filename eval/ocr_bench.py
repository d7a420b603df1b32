"""OCR benchmark: render report pages, "scan" them (skew, noise), read them back, score them.

Sources: the running text of the first pages of both seed reports and a 13x7 绩效自评表 of
each (values transcribed from the seeds, merged cells as in the originals). Pages are laid
out with PyMuPDF's bundled CJK font (body 12 pt, tables 10.5 pt, like service/synth),
rasterised at 150 and 200 dpi, rotated 0.5–1.5°, blurred, given scanner noise and stored as
JPEG (quality 80), then read by ``service.ingest.ocr.ocr_image``.

Scores (text NFKC-normalised both sides):
  CER             edit distance / reference length, whitespace removed both sides
  CER (spaces)    the same with whitespace runs kept as one space: what spacing costs
  numbers         numeric tokens (\\d+(?:\\.\\d+)?%?) exactly right, as a multiset, read on the
                  text as emitted (a space inside a number breaks the number)
  cells           table cells at the right (row, col, spans) with the right text
  s/page          median wall time of ``ocr_image`` per page (engine loaded beforehand);
                  ms/char the same per reference character, for pages of other density

Usage: python eval/ocr_bench.py [--dpi 150 200] [--json eval/out/ocr_bench.json]
       [--no-space-rule]   (the engine's raw spacing: to measure what the rule changes)
       [--wide-digits]     (digits on one-em advances: built-in PDF CJK font, full-width digits)
       [--body-size 10.5]  (running text size in points; default 12)
       [--clean]           (rasterise only: no skew, blur, noise or JPEG)
It renders its own pages on purpose (small, self-contained); service/synth renders whole
reports.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pymupdf

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from eval.textsim import levenshtein  # noqa: E402
from service.config import OCRSettings  # noqa: E402
from service.document.builder import normalize_text  # noqa: E402
from service.ingest import ocr  # noqa: E402
from service.synth.seeds import find_seeds_dir  # noqa: E402

FONT = pymupdf.Font("china-s")
PAGE_W, PAGE_H, MARGIN = 595.0, 842.0, 64.0
BODY_SIZE, TABLE_SIZE = 12.0, 10.5
NUMBER = re.compile(r"\d+(?:\.\d+)?%?")
SKEWS = (0.5, -1.0, 1.5, -0.7, 1.2, -1.3)


# --- rendering ----------------------------------------------------------------------------


@dataclass
class RefCell:
    row: int
    col: int
    text: str
    row_span: int = 1
    col_span: int = 1


@dataclass
class RenderedPage:
    name: str
    pdf: pymupdf.Document
    lines: list[tuple[str, pymupdf.Rect]] = field(default_factory=list)  # running text
    cells: list[RefCell] = field(default_factory=list)
    n_rows: int = 0
    n_cols: int = 0

    @property
    def reference(self) -> str:
        cells = sorted(self.cells, key=lambda c: (c.row, c.col))
        return "\n".join([t for t, _ in self.lines] + [c.text for c in cells])


# Digits and Latin on one-em advances ("1 1 1 2 . 5 1" as the eye sees it): what a PDF
# drawn with the built-in, non-embedded CJK font shows, and what documents typed with
# full-width digits look like. The engine then reads spaces (and dots) into numbers.
wide_digits = False  # set by --wide-digits


def text_width(text: str, size: float) -> float:
    return len(text) * size if wide_digits else FONT.text_length(text, fontsize=size)


def drawable(text: str) -> str:
    """Only characters the bundled font can draw: the reference must be what is on the page."""
    return "".join(ch for ch in text if ch.isspace() or FONT.has_glyph(ord(ch)))


def wrap(text: str, width: float, size: float, first_indent: float = 0.0) -> list[str]:
    lines, current, room = [], "", width - first_indent
    for ch in text:
        if current and text_width(current + ch, size) > room:
            lines.append(current)
            current, room = "", width
        current += ch
    if current:
        lines.append(current)
    return lines


def new_page() -> tuple[pymupdf.Document, pymupdf.Page]:
    """An A4 page with the CJK font embedded, so digits keep their proportional widths.
    (Drawing with the built-in ``china-s`` name sets them one em apart: ``--wide-digits``.)"""
    pdf = pymupdf.open()
    page = pdf.new_page(width=PAGE_W, height=PAGE_H)
    page.insert_font(fontname="cjk", fontbuffer=FONT.buffer)
    return pdf, page


def put(page: pymupdf.Page, x: float, top: float, text: str, size: float) -> pymupdf.Rect:
    """Draw one line with its top at ``top``; return where its glyphs stand (points)."""
    font = "china-s" if wide_digits else "cjk"
    page.insert_text((x, top + FONT.ascender * size), text, fontname=font, fontsize=size)
    return pymupdf.Rect(x, top, x + text_width(text, size), top + size)


def prose_pages(
    name: str, paragraphs: list[str], pages: int = 2, size: float = BODY_SIZE
) -> list[RenderedPage]:
    """Paragraphs laid out like a report body (first-line indent), up to ``pages`` pages."""
    out: list[RenderedPage] = []
    queue = [drawable(p).strip() for p in paragraphs if drawable(p).strip()]
    width, step = PAGE_W - 2 * MARGIN, size * 1.6
    while queue and len(out) < pages:
        pdf, page = new_page()
        rendered = RenderedPage(f"{name}-p{len(out) + 1}", pdf)
        top = MARGIN
        while queue and top + step < PAGE_H - MARGIN:
            para = queue.pop(0)
            lines = wrap(para, width, size, first_indent=2 * size)
            for i, line in enumerate(lines):
                if top + step >= PAGE_H - MARGIN:  # the rest goes on the next page
                    queue.insert(0, "".join(lines[i:]))
                    break
                x = MARGIN + (2 * size if i == 0 else 0)
                rendered.lines.append((line, put(page, x, top, line, size)))
                top += step
        out.append(rendered)
    return out


def table_page(
    name: str, title: str, cells: list[RefCell], widths: list[float], size: float = TABLE_SIZE
) -> RenderedPage:
    """A ruled table: every cell drawn as its own rectangle, merged cells spanning."""
    pdf, page = new_page()
    n_rows = max(c.row + c.row_span for c in cells)
    rendered = RenderedPage(name, pdf, n_rows=n_rows, n_cols=len(widths))
    xs = [MARGIN + sum(widths[:i]) for i in range(len(widths) + 1)]
    pad, step = 4.0, size * 1.4
    wrapped = {
        id(c): wrap(drawable(c.text), xs[c.col + c.col_span] - xs[c.col] - 2 * pad, size)
        for c in cells
    }
    heights = [24.0] * n_rows
    for c in cells:
        if c.row_span == 1:
            heights[c.row] = max(heights[c.row], len(wrapped[id(c)]) * step + 2 * pad)
    rendered.lines.append((title, put(page, MARGIN + 80, MARGIN, title, 16.0)))
    ys = [MARGIN + 40 + sum(heights[:i]) for i in range(n_rows + 1)]
    for c in cells:
        box = pymupdf.Rect(xs[c.col], ys[c.row], xs[c.col + c.col_span], ys[c.row + c.row_span])
        page.draw_rect(box, color=(0, 0, 0), width=0.8)
        lines = wrapped[id(c)]
        top = (box.y0 + box.y1) / 2 - len(lines) * step / 2 + (step - size) / 2
        for i, line in enumerate(lines):
            put(page, box.x0 + pad, top + i * step, line, size)
        rendered.cells.append(RefCell(c.row, c.col, "".join(lines), c.row_span, c.col_span))
    return rendered


def scan(
    page: pymupdf.Page, dpi: int, angle: float, seed: int = 0, clean: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Rasterise at ``dpi``, rotate ``angle`` degrees counter-clockwise, blur, add noise and
    specks, store as JPEG. Returns the gray image and the 2x3 matrix from PDF points to its
    pixels (where each drawn line now stands). ``clean``: rasterise only."""
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width)
    if clean:  # a page image as a screenshot or a PDF rendering gives it
        return img.copy(), np.diag([dpi / 72, dpi / 72, 1.0])[:2]
    rot = cv2.getRotationMatrix2D((img.shape[1] / 2, img.shape[0] / 2), angle, 1.0)
    size = (img.shape[1], img.shape[0])
    img = cv2.warpAffine(img, rot, size, flags=cv2.INTER_LINEAR, borderValue=255)
    img = cv2.GaussianBlur(img, (3, 3), 0.6)
    rng = np.random.default_rng(seed)
    noisy = img.astype(np.float32) + rng.normal(0, 8, img.shape)
    specks = rng.random(img.shape)
    noisy[specks < 0.0005] = 0
    noisy[specks > 0.9995] = 255
    ok, jpeg = cv2.imencode(
        ".jpg", np.clip(noisy, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 80]
    )
    assert ok
    points_to_px = rot @ np.diag([dpi / 72, dpi / 72, 1.0])
    return cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE), points_to_px


# --- the seeds ----------------------------------------------------------------------------


def seed_paragraphs(path: Path, limit_chars: int = 2400) -> list[str]:
    """The running text at the start of a seed: non-empty lines, no tab-separated rows."""
    out, total = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or "\t" in line:
            continue
        out.append(line)
        total += len(line)
        if total >= limit_chars:
            break
    return out


def cells_from_rows(rows: list[list[tuple[int, int, str] | str]]) -> list[RefCell]:
    """Rows of entries in column order; an entry is text or (row_span, col_span, text).
    Positions covered by a merge from above are skipped automatically."""
    cells: list[RefCell] = []
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for entry in row:
            while (r, c) in taken:
                c += 1
            rs, cs, text = entry if isinstance(entry, tuple) else (1, 1, entry)
            cells.append(RefCell(r, c, text, rs, cs))
            taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
            c += cs
    return cells


HEAD = ["年度预算申请(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
INDICATORS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
WIDTHS = [80.0, 72.0, 126.0, 62.0, 62.0, 32.0, 32.0]

TABLE_000 = cells_from_rows(
    [
        ["预算部门", (1, 6, "益阳市生态环境保护综合行政执法支队")],
        HEAD,
        ["年度资金总额", "871.44", "1112.51", "1112.51", "10分", "100%", "10"],
        [(1, 3, "其中:一般公共预算:1112.51"), (1, 4, "其中:基本支出:1059.01")],
        [(1, 3, "政府性基金拨款:0"), (1, 4, "项目支出:53.5")],
        INDICATORS,
        [(4, 1, "产出指标(50分)"), (2, 1, "数量指标"), "涉污企业排查率", "≥95%", "≥95%", "5", "5"],
        ["年度非税罚没收入执收率", "≥95%", "≥95%", "5", "5"],
        [(2, 1, "成本指标"), "预算执行率", "≥95%", "≥95%", "3", "3"],
        ["“三公经费”控制率", "≤98%", "≤98%", "2", "2"],
        [
            (2, 1, "效益指标(30分)"),
            (2, 1, "生态效益指标"),
            "市内空气质量改善情况",
            "改善",
            "改善",
            "5",
            "5",
        ],
        ["水环境、土壤环境质量", "保持稳定", "保持稳定", "5", "5"],
        [(1, 5, "总分"), "100分", "100分"],
    ]
)

TABLE_002 = cells_from_rows(
    [
        ["预算部门名称", (1, 6, "衡阳市生态环境局耒阳分局")],
        HEAD,
        ["年度资金总额", "2376.33", "3172.18", "3157.85", "10", "99.54%", "10.00"],
        [(1, 3, "一般公共预算:2287.48"), (1, 4, "其中:基本支出:2204.05")],
        [(1, 3, "其他资金:870.37"), (1, 4, "项目支出:952.9")],
        INDICATORS,
        [
            (4, 1, "产出指标"),
            (2, 1, "数量指标"),
            "优先监管地块土壤污染状况调查报告编制",
            "5个",
            "5个",
            "5",
            "5",
        ],
        ["VOCs减排治理项目", "2个", "2个", "5", "5"],
        [(2, 1, "质量指标"), "城区环境空气质量优良率", "90%", "93.70%", "3", "3"],
        ["污染耕地安全利用率和污染地块安全利用率", "90%", "95%", "3", "3"],
        ["效益指标", "生态效益指标", "空气质量优良率", "90%", "94.80%", "5", "5"],
        ["满意度指标", "满意度指标", "服务对象满意度", "90%", "93%", "10", "9"],
        ["成本指标", "经济成本指标", "运行成本", "≤3157.85万元", "3157.85", "15", "15"],
    ]
)


def bench_pages(seeds: Path, body_size: float = BODY_SIZE) -> list[RenderedPage]:
    pages: list[RenderedPage] = []
    for name in ("000_de21ebe0f04bc952", "002_8a698bcfafd5a356"):
        paragraphs = seed_paragraphs(seeds / f"{name}.txt")
        pages += prose_pages(name[:3], paragraphs, size=body_size)
    pages.append(table_page("000-table", "2021年度部门整体支出绩效自评表", TABLE_000, WIDTHS))
    pages.append(table_page("002-table", "2024年度部门整体支出绩效自评表", TABLE_002, WIDTHS))
    return pages


# --- scoring ------------------------------------------------------------------------------


def squeeze(text: str, keep_spaces: bool = False) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text).strip() if keep_spaces else re.sub(r"\s+", "", text)


def cer(reference: str, hypothesis: str, keep_spaces: bool = False) -> float:
    ref, hyp = squeeze(reference, keep_spaces), squeeze(hypothesis, keep_spaces)
    return levenshtein(ref, hyp) / max(len(ref), 1)


def numbers_right(reference: str, hypothesis: str) -> tuple[int, int]:
    """(reference numbers found in the hypothesis, reference numbers), as multisets."""
    ref = Counter(NUMBER.findall(unicodedata.normalize("NFKC", reference)))
    hyp = Counter(NUMBER.findall(unicodedata.normalize("NFKC", hypothesis)))
    return sum((ref & hyp).values()), sum(ref.values())


def cells_right(page: RenderedPage, result: ocr.OcrPage) -> tuple[int, int]:
    """Reference cells found at the same (row, col) with the same spans and text."""
    if not page.cells:
        return 0, 0
    found = {}
    if result.tables:
        table = max(result.tables, key=lambda t: len(t.cells))
        found = {(c.row, c.col): c for c in table.cells}
    right = 0
    for ref in page.cells:
        got = found.get((ref.row, ref.col))
        if (
            got is not None
            and (got.row_span, got.col_span) == (ref.row_span, ref.col_span)
            and squeeze(got.text) == squeeze(ref.text)
        ):
            right += 1
    return right, len(page.cells)


# --- the run ------------------------------------------------------------------------------


def disable_space_rule() -> None:
    """Keep the engine's spacing (NFKC only), to measure what ``ocr.clean_text`` changes."""
    ocr.clean_text = lambda text: normalize_text(text).strip()  # type: ignore[assignment]
    ocr._SPACE_CJK = re.compile(r"(?!)")  # never matches


def run(
    dpis: list[int], seeds: Path, body_size: float = BODY_SIZE, clean: bool = False
) -> list[dict]:
    pages = bench_pages(seeds, body_size)
    ocr.get_engine()
    results = []
    for dpi in dpis:
        for i, page in enumerate(pages):
            angle = 0.0 if clean else SKEWS[i % len(SKEWS)]
            image, _ = scan(page.pdf[0], dpi, angle, seed=dpi + i, clean=clean)
            start, cpu = time.perf_counter(), time.process_time()
            result = ocr.ocr_image(image, OCRSettings(dpi=dpi))
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            hyp = result.text
            n_right, n_total = numbers_right(page.reference, hyp)
            c_right, c_total = cells_right(page, result)
            results.append(
                {
                    "page": page.name,
                    "dpi": dpi,
                    "skew": angle,
                    "angle_found": result.angle,
                    "chars": len(squeeze(page.reference)),
                    "cer": cer(page.reference, hyp),
                    "cer_spaces": cer(page.reference, hyp, keep_spaces=True),
                    "numbers_right": n_right,
                    "numbers": n_total,
                    "cells_right": c_right,
                    "cells": c_total,
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                    "confidence": result.confidence,
                }
            )
            print(_row(results[-1]), file=sys.stderr, flush=True)
    return results


def _row(r: dict) -> str:
    return (
        f"{r['page']:>10} {r['dpi']}dpi skew {r['skew']:+.1f}° found {-r['angle_found']:+.2f}°"
        f"  {r['chars']} chars  CER {r['cer']:.2%} (spaces {r['cer_spaces']:.2%})"
        f"  numbers {r['numbers_right']}/{r['numbers']}  cells {r['cells_right']}/{r['cells']}"
        f"  {r['seconds']:.2f} s (cpu {r['cpu_seconds']:.2f} s)"
    )


def summary(results: list[dict], engine: str) -> str:
    lines = [
        "| engine | dpi | pages | CER | CER (spaces kept) | numbers exactly right "
        "| s/page (median) | ms/char | table cells right |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for dpi in sorted({r["dpi"] for r in results}):
        rs = [r for r in results if r["dpi"] == dpi]
        chars = sum(r["chars"] for r in rs)
        cer_all = sum(r["cer"] * r["chars"] for r in rs) / chars
        cer_sp = sum(r["cer_spaces"] * r["chars"] for r in rs) / chars
        nr, nt = sum(r["numbers_right"] for r in rs), sum(r["numbers"] for r in rs)
        cr, ct = sum(r["cells_right"] for r in rs), sum(r["cells"] for r in rs)
        secs = statistics.median(r["seconds"] for r in rs)
        ms_char = 1000 * sum(r["seconds"] for r in rs) / chars
        lines.append(
            f"| {engine} | {dpi} | {len(rs)} | {cer_all:.2%} | {cer_sp:.2%} "
            f"| {nr}/{nt} ({nr / max(nt, 1):.1%}) | {secs:.2f} | {ms_char:.2f} | {cr}/{ct} |"
        )
    return "\n".join(lines)


def find_seeds() -> Path:
    try:
        return find_seeds_dir(REPO)
    except FileNotFoundError as exc:
        raise SystemExit(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 200])
    parser.add_argument("--seeds", type=Path, default=None, help="folder with the seed texts")
    parser.add_argument("--json", type=Path, default=None, help="also write per-page scores")
    parser.add_argument(
        "--no-space-rule", action="store_true", help="keep the engine's spacing (NFKC only)"
    )
    parser.add_argument("--wide-digits", action="store_true", help="set digits on one-em advances")
    parser.add_argument("--body-size", type=float, default=BODY_SIZE, help="running text, pt")
    parser.add_argument("--clean", action="store_true", help="no skew, blur, noise or JPEG")
    args = parser.parse_args(argv)
    engine = "rapidocr 3.10 (PP-OCRv6 small, cls off)"
    if args.no_space_rule:
        disable_space_rule()
        engine += ", no space rule"
    if args.wide_digits:
        global wide_digits
        wide_digits = True
        engine += ", wide-set digits"
    if args.clean:
        engine += ", clean render"
    results = run(args.dpi, args.seeds or find_seeds(), args.body_size, args.clean)
    print(summary(results, engine))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
