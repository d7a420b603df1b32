"""The seed reports as specs, rendered to every format."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pymupdf
import pytest

from service.synth import RenderOptions, render
from service.synth.scan import ScanOptions
from service.synth.seeds import SEEDS_ENV, find_seeds_dir, seed_spec
from service.synth.spec import Heading, PageBreak, Paragraph, ReportSpec, TableBlock

SEED_000 = "000_de21ebe0f04bc952"
SEED_002 = "002_8a698bcfafd5a356"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="session")
def specs(seeds: Path) -> dict[str, ReportSpec]:
    return {name: seed_spec(seeds / f"{name}.txt") for name in (SEED_000, SEED_002)}


def test_find_seeds_dir_prefers_the_environment(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "x.txt").write_text("报告", encoding="utf-8")
    monkeypatch.setenv(SEEDS_ENV, str(tmp_path))
    assert find_seeds_dir() == tmp_path
    monkeypatch.delenv(SEEDS_ENV)
    assert find_seeds_dir() == seeds


def test_missing_seeds_give_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SEEDS_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=SEEDS_ENV):
        find_seeds_dir(repo=tmp_path / "repo")


def test_seed_000_structure(specs: dict[str, ReportSpec]) -> None:
    spec = specs[SEED_000]
    assert spec.title == "2021年度益阳市生态环境保护综合行政执法支队整体支出绩效自评报告"
    headings = [(b.level, b.text) for b in spec.blocks if isinstance(b, Heading)]
    assert (1, "1、 部门（单位）基本情况") in headings  # the export's stray numbering kept
    assert (2, "（二）“三公”经费支出情况") in headings
    assert (3, "1.重视抓好党建工作，提升支部凝聚力和战斗力") in headings
    assert [(t.n_rows, t.n_cols) for t in spec.tables()] == [(25, 7), (31, 9)]
    # attachments start on a new page, under a centred caption
    i = next(i for i, b in enumerate(spec.blocks) if isinstance(b, Paragraph) and b.text == "附件1")
    assert isinstance(spec.blocks[i - 1], PageBreak)
    assert spec.blocks[i + 1].align == "center"  # type: ignore[union-attr]
    assert isinstance(spec.blocks[i + 2], TableBlock)


def test_seed_002_structure_and_repaired_line_breaks(specs: dict[str, ReportSpec]) -> None:
    spec = specs[SEED_002]
    assert spec.title == "耒阳市部门整体支出绩效自评报告"
    texts = [b.text for b in spec.blocks if isinstance(b, Paragraph)]
    # a sentence the export cut at a page break is whole again
    assert "- （5）负责职责范围内的核与辐射环境监管以及全市核事故应急管理工作。" in texts
    assert not any(t in ("作。", "量。", "化。") for t in texts)
    assert "评价方式：部门（单位）自评☒" in texts
    assert [(t.n_rows, t.n_cols) for t in spec.tables()] == [(21, 5), (32, 9)]


@pytest.mark.parametrize("name", [SEED_000, SEED_002])
def test_every_seed_figure_survives_into_the_pdf(
    specs: dict[str, ReportSpec], seeds: Path, name: str
) -> None:
    data = render(specs[name], "pdf")[0]
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        assert doc.page_count >= 8
        # page footers ("- 3 -") stand between the halves of a paragraph cut by a page break
        text = squash("".join(re.sub(r"- \d+ -", "", p.get_text()) for p in doc))
    source = unicodedata.normalize("NFKC", (seeds / f"{name}.txt").read_text(encoding="utf-8"))
    numbers = re.findall(r"\d+(?:\.\d+)?", source)
    missing = [n for n in set(numbers) if n not in text]
    assert missing == []
    for paragraph in specs[name].paragraphs():
        assert squash(paragraph.replace("☐", "□").replace("☒", "■")) in text


@pytest.mark.parametrize("name", [SEED_000, SEED_002])
@pytest.mark.parametrize("fmt", ["docx", "txt", "scan", "png"])
def test_every_seed_renders_in_every_format(
    specs: dict[str, ReportSpec], name: str, fmt: str
) -> None:
    options = RenderOptions(pages=(1,), scan=ScanOptions(dpi=100), png=ScanOptions(dpi=100))
    files = render(specs[name], fmt, seed=1, options=options)
    assert len(files) == 1 and len(files[0]) > 1000
