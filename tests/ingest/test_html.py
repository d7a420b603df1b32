"""The web-page reader on pages written here: charsets, the article without the site's
chrome, tables with rowspan/colspan, the publication line as metadata, bad pages."""

from __future__ import annotations

import pytest

from service.document import SourceFormat
from service.document.builder import normalize_text
from service.errors import NoArticleError
from service.ingest import read_document
from service.ingest.html import decode_html
from service.ingest.sniff import sniff
from service.synth.html import page_meta, render_html
from service.synth.reports import make_report

ARTICLE = (
    "<p>2021年度青山区水利局整体支出绩效自评报告</p>"
    "<p>一、部门基本情况</p>"
    "<p>截至2021年底，我局编制人数32人，在职人数30人。全年支出总额1,112.51万元，"
    "其中基本支出1,059.01万元，项目支出53.50万元，预算执行率为98.6%。</p>"
    "<p>二、绩效目标完成情况</p>"
    "<p>全年完成河道清淤12.5公里，新建灌溉渠道8条，群众满意度达到95%以上。</p>"
)
TABLE = (
    "<table border='1'><tbody>"
    "<tr><td colspan='2'>项目</td><td>预算数</td><td>决算数</td></tr>"
    "<tr><td rowspan='2'>其中</td><td>基本支出</td><td>1059.01</td><td>1059.01</td></tr>"
    "<tr><td>项目支出</td><td>53.5</td><td>52.53</td></tr>"
    "</tbody></table>"
)
CHROME = (
    "<div class='nav'><a href='/'>首页</a><a href='/gk/'>政务公开</a><a>互动交流</a></div>"
    "<div class='crumbs'>当前位置：<a>首页</a> &gt; <a>财政信息</a></div>"
)
FOOTER = (
    "<div class='share'>分享到：<a>微信</a><a>微博</a></div>"
    "<div class='related'><h3>相关文章</h3><ul><li><a href='/1.html'>关于预算公开的通知</a>"
    "</li><li><a href='/2.html'>财政局召开会议</a></li></ul></div>"
    "<div class='footer'>主办单位：青山区人民政府办公室　备案号：某ICP备12345678号</div>"
)


def _page(head: str = "", body: str = ARTICLE + TABLE) -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>绩效自评报告_青山区人民政府</title></head>"
        f"<body>{CHROME}<div class='main'><h1>2021年度青山区水利局整体支出绩效自评报告</h1>"
        "<div class='info'>发布时间：2022-05-06 09:30　来源：青山区水利局　浏览次数：321</div>"
        f"<div class='article'>{body}</div>{FOOTER}</div></body></html>"
    )


def test_a_gbk_page_is_sniffed_as_html_and_decoded_by_its_meta_charset() -> None:
    data = _page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode(
        "gbk"
    )
    assert sniff(data, "page.htm") is SourceFormat.html
    doc = read_document(data, "page.htm")
    assert doc.source.format is SourceFormat.html
    assert "在职人数30人" in doc.text
    assert "全年支出总额1,112.51万元" in doc.text


@pytest.mark.parametrize(
    ("head", "encoding", "prefix"),
    [
        ('<meta charset="GBK">', "gbk", b""),
        ("", "gbk", b""),  # undeclared: UTF-8 fails, GB18030 reads it
        ('<meta charset="utf-8">', "utf-8", b""),
        ("", "utf-8", b"\xef\xbb\xbf"),
        ('<meta charset="gbk">', "utf-16-le", b"\xff\xfe"),  # the BOM wins over the tag
        ('<meta charset="gb2312">', "utf-8", b""),  # re-saved as UTF-8, the old tag kept
        ('<meta charset="big5">', "gbk", b""),  # a wrong tag: Big5 fails, GB18030 reads it
    ],
)
def test_charset_from_bom_meta_tag_or_detection(head: str, encoding: str, prefix: bytes) -> None:
    data = prefix + _page(head).encode(encoding)
    assert "我局编制人数32人" in decode_html(data)
    assert "我局编制人数32人" in read_document(data, "p.html").text


def test_bytes_no_candidate_decodes_go_to_the_detector() -> None:
    """0x80 is invalid in UTF-8 and in GB18030: a Windows-1252 page (€) is guessed."""
    data = b"<html><body><p>Budget 2021: \x80 1,112.51 (10k)</p></body></html>" * 20
    text = decode_html(data)
    assert "Budget 2021:" in text and "1,112.51" in text and "\ufffd" not in text


def test_the_site_chrome_is_left_out_and_the_title_leads() -> None:
    doc = read_document(_page('<meta charset="utf-8">').encode(), "p.html")
    for chrome in ("当前位置", "互动交流", "分享到", "相关文章", "备案号", "浏览次数", "发布时间"):
        assert chrome not in doc.text, chrome
    assert doc.text.startswith("2021年度青山区水利局整体支出绩效自评报告\n")


def test_the_publication_line_becomes_metadata() -> None:
    doc = read_document(_page('<meta charset="utf-8">').encode(), "p.html")
    assert doc.metadata["published"] == "2022-05-06"
    assert doc.metadata["publisher"] == "青山区水利局"
    assert doc.metadata["title"] == "2021年度青山区水利局整体支出绩效自评报告"


def test_tables_keep_rowspan_and_colspan_and_ground_by_span() -> None:
    doc = read_document(_page('<meta charset="utf-8">').encode(), "p.html")
    (table,) = doc.tables
    assert (table.n_rows, table.n_cols) == (3, 4)
    head = table.cell_at(0, 1)
    assert head is not None and head.text == "项目" and head.col_span == 2
    merged = table.cell_at(2, 0)
    assert merged is not None and merged.text == "其中" and merged.row_span == 2
    assert table.grid()[2] == ["", "项目支出", "53.5", "52.53"]
    for cell in table.cells:
        assert doc.slice(cell.span) == cell.text
    assert all(cell.bbox is None for cell in table.cells)  # a page has no geometry


def test_a_layout_table_page_gives_the_article_without_its_publication_line() -> None:
    """Older sites lay the page out in a table; the publication line sits in the article's
    cell."""
    page = (
        "<html><head><meta charset='gbk'><title>报告</title></head><body><table>"
        "<tr><td colspan='2'><a href='/'>首页</a> <a href='/a'>政务公开</a></td></tr>"
        "<tr><td><ul><li><a href='/1'>财政预决算</a></li><li><a href='/2'>政府采购</a></li>"
        "</ul></td><td><h1>2021年度青山区水利局整体支出绩效自评报告</h1>"
        "<div>发布时间：2022-05-06　来源：青山区水利局　阅读次数：88</div>"
        f"{ARTICLE}{TABLE}</td></tr><tr><td colspan='2'>主办单位：青山区人民政府</td></tr>"
        "</table></body></html>"
    ).encode("gbk")
    doc = read_document(page, "old.htm")
    assert "发布时间" not in doc.text and "阅读次数" not in doc.text
    assert "政府采购" not in doc.text and "主办单位" not in doc.text
    assert "预算执行率为98.6%" in doc.text
    assert doc.metadata["published"] == "2022-05-06"
    assert [t.grid()[0] for t in doc.tables] == [["项目", "", "预算数", "决算数"]]


def test_a_table_caption_is_a_line_above_the_table() -> None:
    body = ARTICLE + TABLE.replace("<tbody>", "<caption>附件1 基础数据表</caption><tbody>")
    doc = read_document(_page("", body).encode("utf-8"), "p.html")
    assert "附件1 基础数据表\n项目\t\t预算数\t决算数\n" in doc.text


def test_a_nested_table_and_line_breaks_stay_inside_their_cell() -> None:
    body = ARTICLE + (
        "<table><tr><td>说明</td><td>第一行<br>第二行"
        "<table><tr><td>甲</td><td>乙</td></tr></table></td></tr></table>"
    )
    doc = read_document(_page("", body).encode("utf-8"), "p.html")
    (table,) = doc.tables
    assert table.grid() == [["说明", "第一行第二行 甲 乙"]]


def test_a_small_table_of_bare_figures_is_kept() -> None:
    """readability-lxml on its own drops a table with under 25 characters of text."""
    body = (
        ARTICLE
        + "<table><tr><td>三公</td><td>3.04</td></tr><tr><td>接待</td><td>1.2</td></tr></table>"
    )
    doc = read_document(_page("", body).encode("utf-8"), "p.html")
    (table,) = doc.tables
    assert table.grid() == [["三公", "3.04"], ["接待", "1.2"]]


def test_a_page_with_no_article_is_a_typed_error() -> None:
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>栏目</title></head><body>"
        f"{CHROME}<ul><li><a href='/1'>通知一</a></li><li><a href='/2'>通知二</a></li></ul>"
        f"{FOOTER}</body></html>"
    )
    with pytest.raises(NoArticleError) as info:
        read_document(page.encode(), "list.html")
    assert info.value.code == "no_article"


def test_a_saved_article_fragment_is_a_web_page_not_text() -> None:
    """The issue's complaint: a page saved without its <html> read as plain text."""
    data = f"<div class='article'>{ARTICLE}{TABLE}</div>".encode("gb18030")
    assert sniff(data, "fragment.txt") is SourceFormat.html
    doc = read_document(data, "fragment.txt")
    assert "<p>" not in doc.text and "在职人数30人" in doc.text
    assert doc.tables[0].grid()[1] == ["其中", "基本支出", "1059.01", "1059.01"]


def test_text_that_mentions_markup_is_still_text() -> None:
    data = "报告正文里写着 <html> 标签，这不是网页。\n第二行。\n".encode()
    assert sniff(data, "notes.txt") is SourceFormat.text


def test_a_generated_site_page_reads_like_its_report() -> None:
    report = make_report(3, "hunan")
    data = render_html(report.spec, seed=3)
    data.decode("gb18030")  # the GBK family, as such sites serve it
    doc = read_document(data, "report.html")
    meta = page_meta(report.spec, seed=3)
    assert doc.metadata["published"] == meta.published
    assert doc.metadata["publisher"] == meta.source
    assert doc.text.startswith(report.spec.title)
    for paragraph in report.spec.paragraphs()[:12]:
        assert normalize_text(paragraph)[:10] in doc.text
    assert "当前位置" not in doc.text and "备案号" not in doc.text
    scored = [t for t in doc.tables if t.n_cols == 9]
    assert scored and any(c.text == "绩效指标" and c.row_span > 1 for c in scored[0].cells)
