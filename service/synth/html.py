"""Render a ``ReportSpec`` as a government information-disclosure web page (政府信息公开):
the report as an article inside a site's chrome, encoded as such sites still are (GBK).

Owns the page markup: a head whose charset is declared one of three ways (``<meta
charset>``, ``http-equiv`` or not at all), the government-site ``<meta>`` tags (ArticleTitle,
PubDate, ContentSource), the site chrome a reader must leave out (navigation, breadcrumbs,
publication line, share bar, related links, footer) and the article body with its tables
written with ``rowspan``/``colspan``. The chrome's words are drawn from ``seed`` so that no
reader can learn one site's markup. Knows nothing of truth or of the readers.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

from service.synth.spec import Heading, PageBreak, Paragraph, ReportSpec, TableBlock

_SITES = ("枫林县人民政府", "青山区人民政府门户网站", "云川市财政局", "白水县政府信息公开平台")
_NAV = ("首页", "政务公开", "政务服务", "互动交流", "走进本地", "专题专栏", "办事指南")
_CRUMBS = ("政府信息公开", "财政信息", "部门预决算", "绩效评价")
_RELATED = (
    "关于做好2022年度预算绩效管理工作的通知",
    "县财政局召开预算绩效管理培训会",
    "2021年度部门决算公开说明",
    "关于公开部门整体支出绩效评价结果的通知",
    "本县举行政务公开工作推进会",
)


@dataclass(frozen=True)
class HtmlPage:
    """What a page says about itself besides the article: the truth its metadata must give."""

    published: str  # ISO date of the publication line
    source: str  # the publication line's 来源
    charset: str  # the declared charset label ('' when undeclared)


def page_meta(spec: ReportSpec, seed: int = 0) -> HtmlPage:
    rng = random.Random(f"html-{seed}")
    year = _report_year(spec.title) + 1
    published = f"{year}-{rng.randint(4, 9):02d}-{rng.randint(1, 28):02d}"
    source = _unit_name(spec) or rng.choice(_SITES)
    charset = rng.choice(("gbk", "gb2312", "GBK", ""))
    return HtmlPage(published=published, source=source, charset=charset)


def render_html(spec: ReportSpec, seed: int = 0) -> bytes:
    """The page as bytes: GBK-family encoded (GB18030, which every GBK label decodes as in
    browsers); the same spec and seed always give the same bytes."""
    rng = random.Random(f"html-{seed}")
    meta = page_meta(spec, seed)
    site = rng.choice(_SITES)
    title = spec.title.replace("\n", "")
    esc = html.escape
    head = ["<!DOCTYPE html>", "<html lang='zh-CN'>", "<head>"]
    if meta.charset and rng.random() < 0.5:
        head.append(f'<meta charset="{meta.charset}">')
    elif meta.charset:
        head.append(f'<meta http-equiv="Content-Type" content="text/html; charset={meta.charset}">')
    head += [
        f"<title>{esc(title)}_{esc(site)}</title>",
        f'<meta name="SiteName" content="{esc(site)}">',
        f'<meta name="ArticleTitle" content="{esc(title)}">',
        f'<meta name="PubDate" content="{meta.published} {rng.randint(8, 17):02d}:30">',
        f'<meta name="ContentSource" content="{esc(meta.source)}">',
        "<style>.nav a{margin:0 8px}.content p{text-indent:2em}</style>",
        "</head>",
        "<body>",
    ]
    nav = "".join(f'<li><a href="/{i}/">{esc(n)}</a></li>' for i, n in enumerate(_NAV))
    crumbs = " &gt; ".join(
        f'<a href="/c{i}/">{esc(c)}</a>' for i, c in enumerate(("首页", *_CRUMBS))
    )
    related = "".join(
        f'<li><a href="/art/{rng.randint(1000, 9999)}.html">{esc(t)}</a>'
        f"<span>{rng.randint(2021, 2023)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}</span></li>"
        for t in rng.sample(_RELATED, 4)
    )
    views = rng.randint(100, 5000)
    body = [
        f'<div class="header"><div class="logo">{esc(site)}</div>',
        '<form class="search"><input name="q" placeholder="请输入关键字"><button>搜索</button>'
        "</form></div>",
        f'<div class="nav"><ul>{nav}</ul></div>',
        f'<div class="crumbs">当前位置：{crumbs}</div>',
        '<div class="main">',
        f'<h1 class="article-title">{esc(title)}</h1>',
        f'<div class="pubinfo">发布时间：{meta.published}　来源：{esc(meta.source)}　'
        f"浏览次数：{views}　【字体：<a>大</a> <a>中</a> <a>小</a>】　<a>打印本页</a></div>",
        '<div class="content" id="zoom">',
        *_article(spec),
        "</div>",
        '<div class="share">分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a></div>',
        f'<div class="related"><h3>相关文章</h3><ul>{related}</ul></div>',
        "</div>",
        f'<div class="footer"><p>主办单位：{esc(site)}办公室　承办：县融媒体中心</p>',
        f"<p>网站标识码：{rng.randint(10**9, 10**10 - 1)}　"
        f"备案号：某ICP备{rng.randint(10**7, 10**8 - 1)}号</p>",
        "<p>联系电话：0000-0000000　技术支持：信息中心</p></div>",
        "</body>",
        "</html>",
    ]
    return "\n".join(head + body).encode("gb18030")


def _article(spec: ReportSpec) -> list[str]:
    esc = html.escape
    out: list[str] = []
    for block in spec.blocks:
        if isinstance(block, Heading):
            out.append(f"<p><strong>{esc(block.text)}</strong></p>")
        elif isinstance(block, Paragraph):
            style = ' style="text-align:center"' if block.align == "center" else ""
            out.append(f"<p{style}>{esc(block.text)}</p>")
        elif isinstance(block, TableBlock):
            out.append(table_html(block))
        elif isinstance(block, PageBreak):
            out.append("<p><br></p>")
    return out


def table_html(block: TableBlock) -> str:
    """A table as HTML writes one: each row lists its cells, merged ones with
    ``rowspan``/``colspan``, skipping the positions a cell above still covers."""
    rows: dict[int, list[str]] = {}
    for cell in block.layout():
        attrs = ""
        if cell.row_span > 1:
            attrs += f' rowspan="{cell.row_span}"'
        if cell.col_span > 1:
            attrs += f' colspan="{cell.col_span}"'
        text = "<br>".join(html.escape(part) for part in cell.text.split("\n"))
        rows.setdefault(cell.row, []).append(f"<td{attrs}>{text}</td>")
    border = ' border="1" cellspacing="0"' if block.style == "ruled" else ""
    body = "".join(f"<tr>{''.join(rows.get(r, []))}</tr>" for r in range(block.n_rows))
    return f"<table{border}><tbody>{body}</tbody></table>"


def _report_year(title: str) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in title).split()
    years = [int(d) for d in digits if len(d) == 4 and 1990 <= int(d) <= 2100]
    return years[0] if years else 2021


def _unit_name(spec: ReportSpec) -> str | None:
    for block in spec.blocks[:12]:
        if isinstance(block, Paragraph) and "名称" in block.text[:12]:
            _, _, name = block.text.replace(":", "：").partition("：")
            if name.strip():
                return name.strip()
    return None
