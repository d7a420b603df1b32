"""Invented 绩效自评表 layouts (families) and their renderings in every input format.

Each family is a table we wrote ourselves: its header (one row, or two with a merged
指标值/绩效指标 above), merged 一级/二级 cells, its column order, its words (年度指标值,
预期目标, 全年目标, 完成情况, 权重, 满分 …) and the indicator rows it must read as.
Renderings: tab-separated and glued text, DOCX with merged cells, text PDFs ruled and
borderless, and scans of those PDFs (``service.synth.scan``). Test helpers only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import docx
import pymupdf

from tests.ingest import pdfgen

CellSpec = tuple[int, int, int, int, str]  # row, col, row_span, col_span, text
Expected = tuple  # (level1, level2, level3, target, actual, weight, score)


@dataclass(frozen=True)
class Family:
    name: str
    cells: tuple[CellSpec, ...]
    n_cols: int
    header_rows: int
    expected: tuple[Expected, ...]
    total: float | None = None  # the 总分 the table states, when it has a 合计 row
    deviations: tuple[tuple[str, str], ...] = ()  # (level3, deviation) where one is stated

    @property
    def n_rows(self) -> int:
        return max(r + rs for r, _, rs, _, _ in self.cells)

    def grid(self) -> list[list[str]]:
        """Rows of cell texts, a merged cell's text at its top-left only."""
        rows = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for r, c, _, _, t in self.cells:
            rows[r][c] = t
        return rows


def _body(
    start: int, rows: list[list[str]], merges: list[tuple[int, int, int, str]] = ()
) -> list[CellSpec]:
    """Body cells from ``rows`` (None: a position a merged cell covers) plus the merged
    cells (col, first body row, span, text)."""
    out: list[CellSpec] = []
    for i, row in enumerate(rows):
        for c, t in enumerate(row):
            if t is not None:
                out.append((start + i, c, 1, 1, t))
    out += [(start + r, c, n, 1, t) for c, r, n, t in merges]
    return out


def _header(texts: list[str]) -> list[CellSpec]:
    return [(0, c, 1, 1, t) for c, t in enumerate(texts)]


# A. The eight-column table most provinces print, 偏差原因 last, merged 一级/二级.
_A_ROWS = [
    [None, None, "档案接收进馆数量", "≥3000卷", "3412卷", "10", "10", ""],
    [None, None, "馆藏档案数字化率", "≥85%", "88.6%", "10", "10", ""],
    [None, None, "查档利用按时办结率", "100%", "98%", "10", "9", "个别申请材料不全"],
    [None, None, "档案保护修复经费", "≤46万元", "44.8万元", "10", "10", ""],
    [None, None, "开放档案利用人次", "≥2500人次", "2733人次", "20", "20", ""],
    [None, None, "查档群众满意度", "≥95%", "97.5%", "10", "9.5", ""],
]
FAMILY_A = Family(
    name="eight-columns",
    cells=tuple(
        _header(
            [
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "分值",
                "得分",
                "偏差原因",
            ]
        )
        + _body(
            1,
            _A_ROWS,
            [
                (0, 0, 3, "产出指标"),
                (1, 0, 2, "数量指标"),
                (1, 2, 1, "时效指标"),
                (0, 3, 1, "成本指标"),
                (1, 3, 1, "经济成本指标"),
                (0, 4, 1, "效益指标"),
                (1, 4, 1, "社会效益指标"),
                (0, 5, 1, "满意度指标"),
                (1, 5, 1, "服务对象满意度指标"),
            ],
        )
    ),
    n_cols=8,
    header_rows=1,
    expected=(
        ("产出指标", "数量指标", "档案接收进馆数量", 3000, 3412, 10, 10),
        ("产出指标", "数量指标", "馆藏档案数字化率", 85, 88.6, 10, 10),
        ("产出指标", "时效指标", "查档利用按时办结率", 100, 98, 10, 9),
        ("成本指标", "经济成本指标", "档案保护修复经费", 46, 44.8, 10, 10),
        ("效益指标", "社会效益指标", "开放档案利用人次", 2500, 2733, 20, 20),
        ("满意度指标", "服务对象满意度指标", "查档群众满意度", 95, 97.5, 10, 9.5),
    ),
    deviations=(("查档利用按时办结率", "个别申请材料不全"),),
)

# B. No level columns, the weight before the target, 预期目标 / 完成情况 / 自评得分.
FAMILY_B = Family(
    name="weight-before-target",
    cells=tuple(
        _header(["指标名称", "权重", "预期目标", "完成情况", "自评得分"])
        + _body(
            1,
            [
                ["河湖巡查频次", "15", "≥48次", "52次", "15"],
                ["入河排污口整治数量", "15", "12个", "11个", "13.5"],
                ["水质监测断面达标率", "20", "≥90%", "93.3%", "20"],
                ["河长制工作经费", "10", "≤85万元", "83.2万元", "10"],
                ["沿河群众满意度", "10", "≥90%", "94%", "10"],
            ],
        )
        + [(6, 0, 1, 1, "合计"), (6, 1, 1, 1, "70"), (6, 4, 1, 1, "68.5")]
    ),
    n_cols=5,
    header_rows=1,
    expected=(
        (None, None, "河湖巡查频次", 48, 52, 15, 15),
        (None, None, "入河排污口整治数量", 12, 11, 15, 13.5),
        (None, None, "水质监测断面达标率", 90, 93.3, 20, 20),
        (None, None, "河长制工作经费", 85, 83.2, 10, 10),
        (None, None, "沿河群众满意度", 90, 94, 10, 10),
    ),
    total=68.5,
)

# C. Two-level header: 指标值 merged over 年度目标 | 实际完成.
FAMILY_C = Family(
    name="two-level-values",
    cells=tuple(
        [
            (0, 0, 2, 1, "一级指标"),
            (0, 1, 2, 1, "二级指标"),
            (0, 2, 2, 1, "三级指标"),
            (0, 3, 1, 2, "指标值"),
            (0, 5, 2, 1, "分值"),
            (0, 6, 2, 1, "得分"),
            (1, 3, 1, 1, "年度目标"),
            (1, 4, 1, 1, "实际完成"),
        ]
        + _body(
            2,
            [
                [None, None, "农技培训人次", "≥600人次", "652人次", "20", "20"],
                [None, None, "测土配方施肥覆盖率", "≥92%", "93.1%", "20", "20"],
                [None, None, "动物疫病强制免疫密度", "≥90%", "96%", "20", "20"],
                [None, None, "农民人均可支配收入增幅", "≥6%", "5.2%", "20", "17"],
                [None, None, "农户满意度", "≥90%", "95%", "20", "20"],
            ],
            [
                (0, 0, 3, "产出指标"),
                (1, 0, 2, "数量指标"),
                (1, 2, 1, "质量指标"),
                (0, 3, 1, "效益指标"),
                (1, 3, 1, "经济效益指标"),
                (0, 4, 1, "满意度指标"),
                (1, 4, 1, "服务对象满意度指标"),
            ],
        )
    ),
    n_cols=7,
    header_rows=2,
    expected=(
        ("产出指标", "数量指标", "农技培训人次", 600, 652, 20, 20),
        ("产出指标", "数量指标", "测土配方施肥覆盖率", 92, 93.1, 20, 20),
        ("产出指标", "质量指标", "动物疫病强制免疫密度", 90, 96, 20, 20),
        ("效益指标", "经济效益指标", "农民人均可支配收入增幅", 6, 5.2, 20, 17),
        ("满意度指标", "服务对象满意度指标", "农户满意度", 90, 95, 20, 20),
    ),
)

# D. Text targets met in words (按时 / 按时完成, 达标 / 已达标, 有效提升 / 明显提升).
FAMILY_D = Family(
    name="text-targets",
    cells=tuple(
        _header(
            ["一级指标", "三级指标", "全年目标", "实际完成值", "分值", "得分", "偏差原因及改进措施"]
        )
        + _body(
            1,
            [
                [None, "危房改造任务", "按时", "按时完成", "15", "15", ""],
                [None, "竣工验收合格率", "达标", "已达标", "15", "15", ""],
                [None, "老旧小区改造户数", "≥1200户", "1186户", "20", "18", "两个小区延至次年"],
                [None, "人居环境", "有效提升", "明显提升", "20", "20", ""],
                [None, "住户满意度", "≥90%", "92%", "10", "10", ""],
            ],
            [(0, 0, 3, "产出指标"), (0, 3, 1, "效益指标"), (0, 4, 1, "满意度指标")],
        )
    ),
    n_cols=7,
    header_rows=1,
    expected=(
        ("产出指标", None, "危房改造任务", "按时", "按时完成", 15, 15),
        ("产出指标", None, "竣工验收合格率", "达标", "已达标", 15, 15),
        ("产出指标", None, "老旧小区改造户数", 1200, 1186, 20, 18),
        ("效益指标", None, "人居环境", "有效提升", "明显提升", 20, 20),
        ("满意度指标", None, "住户满意度", 90, 92, 10, 10),
    ),
    deviations=(("老旧小区改造户数", "两个小区延至次年"),),
)

# E. Rubric 自评表: 指标解释 and 评分标准, no target or actual column.
FAMILY_E = Family(
    name="rubric",
    cells=tuple(
        _header(["一级指标", "二级指标", "指标", "指标解释", "分值", "评分标准", "得分"])
        + _body(
            1,
            [
                [None, None, "预算执行率", "实际支出占预算的比重", "10", "每低1%扣0.5分", "9.5"],
                [None, None, "三公经费控制率", "实际三公经费与预算之比", "5", "超支不得分", "5"],
                [None, None, "制度建设", "内控制度是否健全", "8", "缺一项扣2分", "6"],
                [None, None, "重点工作完成率", "完成重点工作的比例", "12", "每低5%扣1分", "12"],
            ],
            [
                (0, 0, 2, "预算执行"),
                (1, 0, 2, "预算管理"),
                (0, 2, 2, "部门履职"),
                (1, 2, 1, "内部管理"),
                (1, 3, 1, "履职效能"),
            ],
        )
    ),
    n_cols=7,
    header_rows=1,
    expected=(
        ("预算执行", "预算管理", "预算执行率", None, None, 10, 9.5),
        ("预算执行", "预算管理", "三公经费控制率", None, None, 5, 5),
        ("部门履职", "内部管理", "制度建设", None, None, 8, 6),
        ("部门履职", "履职效能", "重点工作完成率", None, None, 12, 12),
    ),
)

# F. 绩效指标 merged over the three level columns; 权重 for the weight.
FAMILY_F = Family(
    name="grouped-levels",
    cells=tuple(
        [
            (0, 0, 1, 3, "绩效指标"),
            (0, 3, 2, 1, "年度指标值"),
            (0, 4, 2, 1, "实际完成值"),
            (0, 5, 2, 1, "权重"),
            (0, 6, 2, 1, "得分"),
            (1, 0, 1, 1, "一级指标"),
            (1, 1, 1, 1, "二级指标"),
            (1, 2, 1, 1, "三级指标"),
        ]
        + _body(
            2,
            [
                [None, None, "道路清扫保洁面积", "≥320万平方米", "326万平方米", "25", "25"],
                [None, None, "垃圾清运及时率", "100%", "100%", "25", "25"],
                [None, None, "环卫作业成本", "≤1650万元", "1602万元", "20", "20"],
                [None, None, "市民满意度", "≥85%", "88%", "30", "29"],
            ],
            [
                (0, 0, 2, "产出指标"),
                (1, 0, 1, "数量指标"),
                (1, 1, 1, "时效指标"),
                (0, 2, 1, "成本指标"),
                (1, 2, 1, "经济成本指标"),
                (0, 3, 1, "满意度指标"),
                (1, 3, 1, "服务对象满意度指标"),
            ],
        )
    ),
    n_cols=7,
    header_rows=2,
    expected=(
        ("产出指标", "数量指标", "道路清扫保洁面积", 320, 326, 25, 25),
        ("产出指标", "时效指标", "垃圾清运及时率", 100, 100, 25, 25),
        ("成本指标", "经济成本指标", "环卫作业成本", 1650, 1602, 20, 20),
        ("满意度指标", "服务对象满意度指标", "市民满意度", 85, 88, 30, 29),
    ),
)

# G. One level column named 指标类别, 具体指标, 目标值 / 完成值, 满分 / 评分; units glued.
FAMILY_G = Family(
    name="category-and-points",
    cells=tuple(
        _header(["指标类别", "具体指标", "目标值", "完成值", "满分", "评分"])
        + _body(
            1,
            [
                [None, "义务教育巩固率", "≥99%", "99.6%", "20", "20"],
                [None, "教师培训学时", "≥72学时", "80学时", "15", "15"],
                [None, "校舍维修面积", "≥4500平方米", "4720平方米", "15", "15"],
                [None, "学生体质健康达标率", "≥92%", "90.5%", "20", "18"],
                [None, "家长满意度", "≥90%", "96%", "10", "10"],
            ],
            [(0, 0, 3, "履职效能"), (0, 3, 1, "社会影响"), (0, 4, 1, "满意程度")],
        )
    ),
    n_cols=6,
    header_rows=1,
    expected=(
        ("履职效能", None, "义务教育巩固率", 99, 99.6, 20, 20),
        ("履职效能", None, "教师培训学时", 72, 80, 15, 15),
        ("履职效能", None, "校舍维修面积", 4500, 4720, 15, 15),
        ("社会影响", None, "学生体质健康达标率", 92, 90.5, 20, 18),
        ("满意程度", None, "家长满意度", 90, 96, 10, 10),
    ),
)

# H. 偏差原因 before the points; 预期目标值; a long name that wraps in narrow cells.
FAMILY_H = Family(
    name="deviation-before-points",
    cells=tuple(
        _header(
            [
                "一级指标",
                "二级指标",
                "三级指标",
                "预期目标值",
                "实际完成值",
                "偏差原因",
                "分值",
                "得分",
            ]
        )
        + _body(
            1,
            [
                [None, None, "家庭医生签约服务重点人群覆盖率", "≥75%", "78.2%", "", "15", "15"],
                [None, None, "适龄儿童免疫规划疫苗接种率", "≥95%", "96.4%", "", "15", "15"],
                [None, None, "孕产妇系统管理率", "≥90%", "87%", "流动人口增加", "15", "13"],
                [None, None, "基本公共卫生服务补助资金", "≤312万元", "309.5万元", "", "15", "15"],
                [None, None, "签约居民满意度", "≥85%", "91%", "", "10", "10"],
            ],
            [
                (0, 0, 3, "产出指标"),
                (1, 0, 2, "数量指标"),
                (1, 2, 1, "质量指标"),
                (0, 3, 1, "成本指标"),
                (1, 3, 1, "经济成本指标"),
                (0, 4, 1, "满意度指标"),
                (1, 4, 1, "服务对象满意度指标"),
            ],
        )
    ),
    n_cols=8,
    header_rows=1,
    expected=(
        ("产出指标", "数量指标", "家庭医生签约服务重点人群覆盖率", 75, 78.2, 15, 15),
        ("产出指标", "数量指标", "适龄儿童免疫规划疫苗接种率", 95, 96.4, 15, 15),
        ("产出指标", "质量指标", "孕产妇系统管理率", 90, 87, 15, 13),
        ("成本指标", "经济成本指标", "基本公共卫生服务补助资金", 312, 309.5, 15, 15),
        ("满意度指标", "服务对象满意度指标", "签约居民满意度", 85, 91, 10, 10),
    ),
    deviations=(("孕产妇系统管理率", "流动人口增加"),),
)

FAMILIES = (FAMILY_A, FAMILY_B, FAMILY_C, FAMILY_D, FAMILY_E, FAMILY_F, FAMILY_G, FAMILY_H)
TITLE = ["附件：部门整体支出绩效自评表", "评价年度：2023年"]


# --- renderings ---------------------------------------------------------------------------


def as_tabs(f: Family) -> str:
    """A table exported as text with a tab between cells (merged cells left empty)."""
    return "\n".join([*TITLE, *("\t".join(row) for row in f.grid())]) + "\n"


def as_glued(f: Family, levels_on_own_lines: bool = False) -> str:
    """A table pasted as text with its cells glued together (no separator at all)."""
    lines = list(TITLE)
    for r, row in enumerate(f.grid()):
        if r >= f.header_rows and levels_on_own_lines:
            names = [t for t in row[: _first_name_col(f)] if t]
            lines += names
            row = row[_first_name_col(f) :]
        lines.append("".join(row))
    return "\n".join(lines) + "\n"


def as_spaced(f: Family, wrap: int = 0) -> str:
    """A table as a layout-keeping text export prints it: cells padded with spaces to
    their column's width; a name longer than ``wrap`` characters goes on under itself on
    the next line, in its column (0: no wrapping)."""
    grid = f.grid()
    cut = [
        [(t[:wrap], t[wrap:]) if wrap and len(t) > wrap else (t, "") for t in row] for row in grid
    ]
    widths = [max(_cols(a) for row in cut for a, _ in [row[c]]) + 2 for c in range(f.n_cols)]
    lines = list(TITLE)
    for row in cut:
        lines.append(_padded([a for a, _ in row], widths))
        if any(b for _, b in row):
            lines.append(_padded([b for _, b in row], widths))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _cols(text: str) -> int:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 or ch in "≥≤" else 1 for ch in text)


def _padded(cells: list[str], widths: list[int]) -> str:
    return "".join(t + " " * (w - _cols(t)) for t, w in zip(cells, widths, strict=True))


def _first_name_col(f: Family) -> int:
    """The column of the indicator's own name (the first that has text on every row)."""
    body = f.grid()[f.header_rows :]
    return next(c for c in range(f.n_cols) if all(row[c] for row in body[:-1] or body))


def as_docx(f: Family) -> bytes:
    d = docx.Document()
    for line in TITLE:
        d.add_paragraph(line)
    t = d.add_table(rows=f.n_rows, cols=f.n_cols)
    t.style = "Table Grid"
    for r, c, rs, cs, text in f.cells:
        cell = t.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(t.cell(r + rs - 1, c + cs - 1))
        cell.text = text
    d.add_paragraph("本单位对照上表逐项开展了自评。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _widths(f: Family, fontsize: float, wrap: int) -> list[float]:
    widths = [0.0] * f.n_cols
    for _, c, _, cs, text in f.cells:
        if cs == 1:
            n = max(min(len(part), wrap) for part in text.split("\n")) if text else 2
            widths[c] = max(widths[c], n * fontsize + 3 * fontsize)
    return widths


def _wrap(text: str, width: int) -> str:
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)) if text else text


def as_pdf(f: Family, ruled: bool, fontsize: float = 9, wrap: int = 10) -> bytes:
    """A one-page text PDF of the table, ruled (merged cells drawn) or borderless (text
    only, figures right-aligned, merged cells written once); names longer than ``wrap``
    characters wrap onto a second line in their cell."""
    doc = pymupdf.open()
    widths = _widths(f, fontsize, wrap)
    # A wide table is printed on a landscape page, as reports do with their 自评表.
    page = pdfgen.new_page(doc, pdfgen.A4 if sum(widths) <= 535 else pdfgen.A4[::-1])
    pdfgen.write_lines(page, TITLE, y=70, fontsize=11)
    if ruled:
        cells = [(r, c, rs, cs, _wrap(t, wrap)) for r, c, rs, cs, t in f.cells]
        heights = [fontsize * 2.0 if r < f.header_rows else fontsize * 3.0 for r in range(f.n_rows)]
        table = pdfgen.draw_table(page, 30, 110, widths, heights, cells, fontsize=fontsize)
        bottom = table.rect.y1
    else:
        top = _borderless_header(page, f, widths, 110, fontsize)
        rows = [[_wrap(t, wrap) for t in row] for row in f.grid()[f.header_rows :]]
        figures = _figure_cols(f)
        _, bottom = pdfgen.write_text_table(
            page, 30, top, widths, rows, fontsize=fontsize, right=figures
        )
    pdfgen.write_lines(page, ["本单位对照上表逐项开展了自评。"], y=bottom + 30, fontsize=11)
    return pdfgen.to_bytes(doc)


def _borderless_header(
    page: pymupdf.Page, f: Family, widths: list[float], y: float, fontsize: float
) -> float:
    """The header rows of a borderless table: a cell spanning columns centred over them,
    each at the top of its first row (no rulings say where a merged cell ends)."""
    xs = [30.0]
    for w in widths:
        xs.append(xs[-1] + w)
    step = fontsize * 2.25
    for r, c, _, cs, text in f.cells:
        if r >= f.header_rows:
            continue
        width = pdfgen.text_width(text, fontsize)
        left = xs[c] if cs == 1 else (xs[c] + xs[c + cs] - width) / 2
        page.insert_text(
            (left, y + r * step + fontsize), text, fontname=pdfgen.FONT, fontsize=fontsize
        )
    return y + f.header_rows * step


def _figure_cols(f: Family) -> tuple[int, ...]:
    """Columns of bare points, right-aligned as exporters set figures."""
    body = f.grid()[f.header_rows :]
    return tuple(
        c
        for c in range(f.n_cols)
        if all(not t or t.replace(".", "").isdigit() for t in (row[c] for row in body))
        and any(row[c] for row in body)
    )


def as_scan(pdf: bytes, seed: int = 11) -> bytes:
    from service.synth.scan import ScanOptions, render_scan

    return render_scan(pdf, seed=seed, options=ScanOptions(skew_min=0.2, skew_max=0.8))


def as_pdf_over_pages(f: Family, ruled: bool, first_rows: int, fontsize: float = 9) -> bytes:
    """The table at the foot of page 1 with its header and ``first_rows`` body rows, the
    rest at the top of page 2 with no header repeated (merged cells must not cross)."""
    doc = pymupdf.open()
    widths = _widths(f, fontsize, 99)
    size = pdfgen.A4 if sum(widths) <= 535 else pdfgen.A4[::-1]
    cut = f.header_rows + first_rows
    parts = [
        [c for c in f.cells if c[0] < cut],
        [(r - cut, c, rs, cs, t) for r, c, rs, cs, t in f.cells if r >= cut],
    ]
    for n, cells in enumerate(parts):
        page = pdfgen.new_page(doc, size)
        n_rows = max(r + rs for r, _, rs, _, _ in cells)
        height = fontsize * 2.4
        top = size[1] - 50 - n_rows * height if n == 0 else 60
        if n == 0:
            pdfgen.write_lines(page, [*TITLE, "本单位对照下表逐项开展了自评。"], y=top - 80)
        if ruled:
            pdfgen.draw_table(page, 30, top, widths, [height] * n_rows, cells, fontsize=fontsize)
        else:
            rows = [["" for _ in range(f.n_cols)] for _ in range(n_rows)]
            for r, c, _, _, t in cells:
                rows[r][c] = t
            pdfgen.write_text_table(
                page, 30, top, widths, rows, fontsize=fontsize, right=_figure_cols(f)
            )
        if n == 1:
            pdfgen.write_lines(page, ["以上为本年度绩效自评情况。"], y=top + n_rows * height + 40)
    return pdfgen.to_bytes(doc)


# I. A title row and a unit line inside the grid, 指标性质 (the comparator) and 度量单位 in
# columns of their own, a 总分 row spanning the name columns.
FAMILY_I = Family(
    name="unit-column",
    cells=tuple(
        [
            (0, 0, 1, 9, "2023年度部门整体支出绩效自评表"),
            (1, 0, 1, 2, "单位名称"),
            (1, 2, 1, 4, "县市场监督管理局"),
            (1, 6, 1, 2, "自评得分"),
            (1, 8, 1, 1, "92"),
            (2, 0, 1, 1, "一级指标"),
            (2, 1, 1, 1, "二级指标"),
            (2, 2, 1, 1, "三级指标"),
            (2, 3, 1, 1, "指标性质"),
            (2, 4, 1, 1, "指标值"),
            (2, 5, 1, 1, "度量单位"),
            (2, 6, 1, 1, "实际完成值"),
            (2, 7, 1, 1, "分值"),
            (2, 8, 1, 1, "得分"),
        ]
        + _body(
            3,
            [
                [None, None, "食品抽检批次", "≥", "1500", "批次", "1623", "30", "30"],
                [None, None, "抽检不合格品处置率", "=", "100", "%", "100", "30", "30"],
                [None, None, "投诉举报按时办结率", "≥", "95", "%", "92", "20", "17"],
                [None, None, "经营主体满意度", "≥", "90", "%", "93", "20", "15"],
            ],
            [
                (0, 0, 2, "产出指标"),
                (1, 0, 2, "数量指标"),
                (0, 2, 1, "效益指标"),
                (1, 2, 1, "社会效益指标"),
                (0, 3, 1, "满意度指标"),
                (1, 3, 1, "服务对象满意度指标"),
            ],
        )
        + [(7, 0, 1, 7, "总分"), (7, 7, 1, 1, "100"), (7, 8, 1, 1, "92")]
    ),
    n_cols=9,
    header_rows=3,
    expected=(
        ("产出指标", "数量指标", "食品抽检批次", 1500, 1623, 30, 30),
        ("产出指标", "数量指标", "抽检不合格品处置率", 100, 100, 30, 30),
        ("效益指标", "社会效益指标", "投诉举报按时办结率", 95, 92, 20, 17),
        ("满意度指标", "服务对象满意度指标", "经营主体满意度", 90, 93, 20, 15),
    ),
    total=92,
)

FAMILIES = (*FAMILIES, FAMILY_I)
