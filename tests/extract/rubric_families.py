"""Invented scoring-rubric 自评表 layouts (评分表): 指标 | 指标解释 | 分值 | 评分标准 | 得分 in
several column orders and words, with long explanations and rules that wrap in their
cells and hold figures of their own (“每低1个百分点扣0.5分”), and no target or actual
column. Rendered with the renderers of ``indicator_families``. Test helpers only."""

from __future__ import annotations

from tests.extract.indicator_families import Family, _body, _header

# R1. The 部门整体 framework: 一级 | 二级 | 三级 | 指标解释 | 评分标准 | 分值 | 得分,
# merged level cells, rules with figures in them.
RUBRIC_FRAMEWORK = Family(
    name="rubric-framework",
    cells=tuple(
        _header(["一级指标", "二级指标", "三级指标", "指标解释", "评分标准", "分值", "得分"])
        + _body(
            1,
            [
                [
                    None,
                    None,
                    "在职人员控制率",
                    "年末在职人数与核定编制数的比率",
                    "控制率≤100%得满分，每超1个百分点扣1分",
                    "4",
                    "4",
                ],
                [
                    None,
                    None,
                    "预算执行率",
                    "全年实际支出与预算数的比率",
                    "≥95%得满分，每低1个百分点扣0.5分",
                    "10",
                    "9.5",
                ],
                [
                    None,
                    None,
                    "结转结余变动率",
                    "本年结转结余较上年的变动幅度",
                    "较上年下降得满分，上升不得分",
                    "5",
                    "5",
                ],
                [
                    None,
                    None,
                    "管理制度健全性",
                    "财务和业务管理制度是否健全有效",
                    "制度健全得2分，执行有效得2分",
                    "4",
                    "3",
                ],
                [
                    None,
                    None,
                    "重点工作办结率",
                    "年度重点工作按期办结的比例",
                    "全部办结得满分，每少一项扣2分",
                    "20",
                    "18",
                ],
                [
                    None,
                    None,
                    "服务对象满意度",
                    "问卷调查中满意和基本满意的占比",
                    "≥90%得满分，每低5%扣1分",
                    "10",
                    "10",
                ],
            ],
            [
                (0, 0, 1, "投入"),
                (1, 0, 1, "预算配置"),
                (0, 1, 3, "过程"),
                (1, 1, 2, "预算执行"),
                (1, 3, 1, "预算管理"),
                (0, 4, 1, "产出"),
                (1, 4, 1, "职责履行"),
                (0, 5, 1, "效益"),
                (1, 5, 1, "履职效益"),
            ],
        )
        + [(7, 0, 1, 5, "合计"), (7, 5, 1, 1, "53"), (7, 6, 1, 1, "49.5")]
    ),
    n_cols=7,
    header_rows=1,
    expected=(
        ("投入", "预算配置", "在职人员控制率", None, None, 4, 4),
        ("过程", "预算执行", "预算执行率", None, None, 10, 9.5),
        ("过程", "预算执行", "结转结余变动率", None, None, 5, 5),
        ("过程", "预算管理", "管理制度健全性", None, None, 4, 3),
        ("产出", "职责履行", "重点工作办结率", None, None, 20, 18),
        ("效益", "履职效益", "服务对象满意度", None, None, 10, 10),
    ),
    total=49.5,
)

# R2. The points before the explanation: 一级 | 二级 | 三级 | 标准分 | 指标说明 | 评分细则 |
# 自评得分.
RUBRIC_POINTS_FIRST = Family(
    name="rubric-points-first",
    cells=tuple(
        _header(["一级指标", "二级指标", "三级指标", "标准分", "指标说明", "评分细则", "自评得分"])
        + _body(
            1,
            [
                [
                    None,
                    None,
                    "支付进度率",
                    "6",
                    "各季度支付进度与序时进度之比",
                    "达序时进度得满分",
                    "6",
                ],
                [
                    None,
                    None,
                    "政府采购执行率",
                    "4",
                    "实际采购金额占采购预算比例",
                    "≥90%得满分",
                    "3.5",
                ],
                [
                    None,
                    None,
                    "固定资产利用率",
                    "5",
                    "在用资产占全部资产的比重",
                    "低于80%不得分",
                    "5",
                ],
                [
                    None,
                    None,
                    "实际完成率",
                    "15",
                    "完成的履职目标占计划的比重",
                    "每少1%扣0.5分",
                    "14",
                ],
            ],
            [
                (0, 0, 3, "过程指标"),
                (1, 0, 2, "预算执行"),
                (1, 2, 1, "资产管理"),
                (0, 3, 1, "产出指标"),
                (1, 3, 1, "职责履行"),
            ],
        )
    ),
    n_cols=7,
    header_rows=1,
    expected=(
        ("过程指标", "预算执行", "支付进度率", None, None, 6, 6),
        ("过程指标", "预算执行", "政府采购执行率", None, None, 4, 3.5),
        ("过程指标", "资产管理", "固定资产利用率", None, None, 5, 5),
        ("产出指标", "职责履行", "实际完成率", None, None, 15, 14),
    ),
)

# R3. No level columns, no explanation: 评价指标 | 权重 | 评分标准 | 评分.
RUBRIC_FLAT = Family(
    name="rubric-flat",
    cells=tuple(
        _header(["考核指标", "权重", "评分标准", "评分"])
        + _body(
            1,
            [
                ["绩效目标合理性", "5", "目标与职能相符得满分，否则酌情扣分", "4"],
                ["预决算信息公开性", "5", "按规定时限公开得满分，逾期扣2分", "5"],
                ["资金使用合规性", "10", "发现一笔违规支出扣2分", "8"],
                ["社会效益", "20", "成效明显得满分，一般得12分", "17.5"],
            ],
        )
        + [(5, 0, 1, 1, "总分"), (5, 1, 1, 1, "40"), (5, 3, 1, 1, "34.5")]
    ),
    n_cols=4,
    header_rows=1,
    expected=(
        # no level column: the levels of the 部门整体 framework the names belong to
        ("投入", "目标设定", "绩效目标合理性", None, None, 5, 4),
        ("过程", "预算管理", "预决算信息公开性", None, None, 5, 5),
        ("过程", "预算管理", "资金使用合规性", None, None, 10, 8),
        ("效益", "履职效益", "社会效益", None, None, 20, 17.5),
    ),
    total=34.5,
)

# R4. Score before the rule, the weight named 权重分: 指标名称 | 指标内涵 | 权重(分) | 得分 |
# 评分依据 | 扣分说明.
RUBRIC_DEDUCTIONS = Family(
    name="rubric-deductions",
    cells=tuple(
        _header(["一级指标", "指标名称", "指标内涵", "权重（分）", "得分", "评分依据", "扣分原因"])
        + _body(
            1,
            [
                [
                    None,
                    "预算调整率",
                    "预算调整数占年初预算的比重",
                    "5",
                    "4",
                    "≤10%得满分",
                    "追加项目较多",
                ],
                [None, "公用经费控制率", "实际公用经费与预算之比", "5", "5", "≤100%得满分", ""],
                [None, "完成及时率", "按期完成任务的比例", "10", "10", "逾期一项扣1分", ""],
            ],
            [(0, 0, 2, "过程"), (0, 2, 1, "产出")],
        )
    ),
    n_cols=7,
    header_rows=1,
    expected=(
        ("过程", None, "预算调整率", None, None, 5, 4),
        ("过程", None, "公用经费控制率", None, None, 5, 5),
        ("产出", None, "完成及时率", None, None, 10, 10),
    ),
    deviations=(("预算调整率", "追加项目较多"),),
)

RUBRICS = (RUBRIC_FRAMEWORK, RUBRIC_POINTS_FIRST, RUBRIC_FLAT, RUBRIC_DEDUCTIONS)


def as_borderless_pdf(
    f: Family, wrap: int = 8, fontsize: float = 9, middle: bool = True, header_wrap: int = 0
) -> bytes:
    """A borderless PDF as a word processor prints a rubric: long cells wrapped to ``wrap``
    characters, every cell centred on its row's height (``middle``) and a merged level
    cell on the middle of the rows it spans, figures right-aligned; text placed with
    ``insert_text`` at column positions, no rulings."""
    import pymupdf

    from tests.extract.indicator_families import TITLE, _figure_cols, _wrap
    from tests.ingest import pdfgen

    def cut(r: int, t: str) -> list[str]:
        width = header_wrap if header_wrap and r < f.header_rows else wrap
        return _wrap(t, width).split("\n") if t else []

    lines = {(r, c): cut(r, t) for r, c, _, _, t in f.cells}
    spans = {(r, c): rs for r, c, rs, _, _ in f.cells}
    widths = [0.0] * f.n_cols
    for (_r, c), parts in lines.items():
        n = max((len(p) for p in parts), default=2)
        widths[c] = max(widths[c], (n + 2) * fontsize)
    step = fontsize * 1.3
    heights = [step] * f.n_rows
    for (r, c), parts in lines.items():
        if spans[(r, c)] == 1:
            heights[r] = max(heights[r], step * max(len(parts), 1))
    doc = pymupdf.open()
    page = pdfgen.new_page(doc, pdfgen.A4 if sum(widths) <= 535 else pdfgen.A4[::-1])
    pdfgen.write_lines(page, TITLE, y=60, fontsize=11)
    xs, ys = [30.0], [100.0]
    for w in widths:
        xs.append(xs[-1] + w)
    for h in heights:
        ys.append(ys[-1] + h + fontsize * 0.8)
    right = set(_figure_cols(f))
    for (r, c), parts in lines.items():
        top, bottom = ys[r], ys[r + spans[(r, c)]] - fontsize * 0.8
        block = step * len(parts)
        y = top + (bottom - top - block) / 2 if middle else top
        for k, part in enumerate(parts):
            width = pdfgen.text_width(part, fontsize)
            x = xs[c + 1] - fontsize - width if c in right and r >= f.header_rows else xs[c]
            page.insert_text(
                (x, y + fontsize + k * step), part, fontname=pdfgen.FONT, fontsize=fontsize
            )
    pdfgen.write_lines(page, ["以上为本单位绩效自评情况。"], y=ys[-1] + 30, fontsize=11)
    return pdfgen.to_bytes(doc)


def as_tabs_centred(f: Family) -> str:
    """A tab-separated copy of a table whose merged level cells were centred: each one's
    text on the middle row of the rows it spans (the lower of two), the others blank."""
    from tests.extract.indicator_families import TITLE

    rows = [["" for _ in range(f.n_cols)] for _ in range(f.n_rows)]
    for r, c, rs, _, t in f.cells:
        rows[r + rs // 2 if r >= f.header_rows else r][c] = t
    return "\n".join([*TITLE, *("\t".join(row) for row in rows)]) + "\n"
