"""Invented 绩效自评表 shapes for the 一级/二级 levels (test helpers only).

A shape is a table we wrote: its header, and its rows grouped under level cells merged
over the group. ``place`` says where a merged cell's text stands when a copy keeps only
positions (a borderless PDF, text copied from a PDF): on the group's first, middle or
last row. Renderings: tab-separated, space-aligned, glued and one-cell-per-line text,
DOCX with vertically merged cells, ruled and borderless text PDFs, and an XLSX sheet with
merged cells.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl

from tests.extract import indicator_families as fam

Leaf = tuple[str, str, str, str, str]  # level3, target, actual, weight, score
# A level-1 group: its label (None: no level-1 column) and its level-2 groups, each a
# label (None: no level-2 column) and its rows.
Group = tuple[str | None, tuple[tuple[str | None, tuple[Leaf, ...]], ...]]


@dataclass(frozen=True)
class Shape:
    name: str
    header: tuple[str, ...]
    groups: tuple[Group, ...]
    # Per row, the (level1, level2) it must read as; None: the group labels themselves.
    levels: tuple[tuple[str | None, str | None], ...] | None = None
    total: tuple[str, ...] | None = None  # a 合计 row's cells after its label
    total_at: int | None = None  # the level-1 group the 合计 row stands before (None: last)
    level_cols: int = 2  # how many columns hold level labels (0, 1 or 2)
    heading_rows: bool = False  # level-1 labels on a row of their own, not in a column
    points_at: tuple[int, int] = (3, 4)  # where a leaf holds its weight and score
    repeat: bool = False  # every row states its levels (no merged cells)

    def leaves(self) -> list[Leaf]:
        return [leaf for _, subs in self.groups for _, rows in subs for leaf in rows]

    def expected(self) -> list[tuple]:
        labels = self.levels or [
            (l1, l2) for l1, subs in self.groups for l2, rows in subs for _ in rows
        ]
        w, s = self.points_at
        return [
            (l1, l2, leaf[0], float(leaf[w]), float(leaf[s]))
            for (l1, l2), leaf in zip(labels, self.leaves(), strict=True)
        ]

    def family(self, place: str = "top") -> PlacedFamily:
        return PlacedFamily(
            name=self.name,
            cells=tuple(self._cells()),
            n_cols=len(self.header),
            header_rows=1,
            expected=(),
            place=place,
        )

    def _cells(self) -> list[fam.CellSpec]:
        cells: list[fam.CellSpec] = [(0, c, 1, 1, t) for c, t in enumerate(self.header)]
        n = self.level_cols
        r = 1

        def total_row() -> None:
            nonlocal r
            cells.append((r, 0, 1, n + 1, "合计"))
            for c, t in enumerate(self.total or ()):
                cells.append((r, n + 1 + c, 1, 1, t))
            r += 1

        for k, (l1, subs) in enumerate(self.groups):
            if self.total and self.total_at == k:
                total_row()
            if self.heading_rows and l1:
                cells.append((r, 0, 1, len(self.header), l1))
                r += 1
            start1 = r
            for l2, rows in subs:
                start2 = r
                for leaf in rows:
                    cells += [(r, n + c, 1, 1, t) for c, t in enumerate(_leaf_cells(self, leaf))]
                    r += 1
                if n == 2 and l2:
                    cells += self._level(start2, 1, r - start2, l2)
                elif n == 1 and l2 and (self.heading_rows or not l1):
                    cells += self._level(start2, 0, r - start2, l2)
            if n >= 1 and l1 and not self.heading_rows:
                cells += self._level(start1, 0, r - start1, l1)
        if self.total and self.total_at is None:
            total_row()
        return cells

    def _level(self, row: int, col: int, span: int, text: str) -> list[fam.CellSpec]:
        if self.repeat:
            return [(row + k, col, 1, 1, text) for k in range(span)]
        return [(row, col, span, 1, text)]


def _leaf_cells(shape: Shape, leaf: Leaf) -> tuple[str, ...]:
    return leaf[: len(shape.header) - shape.level_cols]


@dataclass(frozen=True)
class PlacedFamily(fam.Family):
    place: str = "top"

    def grid(self) -> list[list[str]]:
        """Rows of cell texts, a merged cell's text on its first, middle or last row."""
        if self.place == "between":
            return self._grid_between()
        rows = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for r, c, rs, _, t in self.cells:
            at = {
                "top": r,
                "middle": r + rs // 2,
                "upper": r + (rs - 1) // 2,
                "bottom": r + rs - 1,
            }[self.place]
            rows[at][c] = t
        return rows

    def _grid_between(self) -> list[list[str]]:
        """A merged cell over an even number of rows centred between its middle two: its
        text on a line of its own there, as a copy of a PDF keeps it."""
        rows = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        lines: dict[int, list[str]] = {}  # before row r: a line of labels
        for r, c, rs, _, t in self.cells:
            if rs % 2 or r < self.header_rows:
                rows[r + rs // 2][c] = t
            else:
                lines.setdefault(r + rs // 2, ["" for _ in range(self.n_cols)])[c] = t
        out = []
        for r, row in enumerate(rows):
            if r in lines:
                out.append(lines[r])
            out.append(row)
        return out


STACKED_INTRO = ["二、绩效指标完成情况", "本年度各项绩效指标完成情况如下。"]


def as_stacked(f: fam.Family) -> str:
    """One cell per line, a blank line for an empty or merged-away cell, under a sentence
    (a title line right above the header words reads as one more header cell)."""
    return "\n".join([*STACKED_INTRO, *(t for row in f.grid() for t in row)]) + "\n"


def as_xlsx(f: fam.Family) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, c, rs, cs, text in f.cells:
        ws.cell(row=r + 1, column=c + 1, value=text)
        if rs > 1 or cs > 1:
            ws.merge_cells(start_row=r + 1, start_column=c + 1, end_row=r + rs, end_column=c + cs)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


RENDER = {
    "tabs": lambda f: (fam.as_tabs(f).encode(), "table.txt"),
    "spaced": lambda f: (fam.as_spaced(f).encode(), "table.txt"),
    "glued": lambda f: (fam.as_glued(f).encode(), "table.txt"),
    "stacked": lambda f: (as_stacked(f).encode(), "table.txt"),
    "docx": lambda f: (fam.as_docx(f), "table.docx"),
    "ruled_pdf": lambda f: (fam.as_pdf(f, ruled=True), "table.pdf"),
    "borderless_pdf": lambda f: (fam.as_pdf(f, ruled=False), "table.pdf"),
    "xlsx": lambda f: (as_xlsx(f), "table.xlsx"),
}


# --- the shapes -------------------------------------------------------------------------

HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
RUBRIC_HEADER = ("一级指标", "二级指标", "三级指标", "指标解释", "分值", "评分标准", "得分")


def _header(level1: str, level2: str) -> tuple[str, ...]:
    return (level1, level2, *HEADER[2:])


def _renamed(groups: tuple[Group, ...], names: dict[str, str]) -> tuple[Group, ...]:
    return tuple(
        (names.get(a, a) if a else a, tuple((names.get(b, b) if b else b, r) for b, r in subs))
        for a, subs in groups
    )


def _level2_only(groups: tuple[Group, ...]) -> tuple[Group, ...]:
    return tuple((None, subs) for _, subs in groups)


# Groups of three, two and one rows under each level, so that a centred label stands on
# a row of its own in one group and between two rows in another.
STANDARD: tuple[Group, ...] = (
    (
        "产出指标",
        (
            (
                "数量指标",
                (
                    ("巡护里程", "≥1200公里", "1315公里", "10", "10"),
                    ("宣传活动场次", "≥12场", "14场", "10", "10"),
                    ("培训人次", "≥300人次", "286人次", "10", "9"),
                ),
            ),
            (
                "质量指标",
                (
                    ("设备完好率", "≥95%", "97%", "10", "10"),
                    ("验收合格率", "100%", "100%", "10", "10"),
                ),
            ),
            ("时效指标", (("任务按时完成率", "100%", "100%", "10", "10"),)),
        ),
    ),
    (
        "效益指标",
        (
            (
                "社会效益指标",
                (
                    ("受益群众人数", "≥5000人", "5620人", "10", "10"),
                    ("事故发生率", "≤1%", "0.5%", "10", "10"),
                ),
            ),
        ),
    ),
    ("满意度指标", (("服务对象满意度指标", (("群众满意度", "≥90%", "95%", "10", "10"),)),)),
)
BARE_NAMES = {
    "产出指标": "产出",
    "成本指标": "成本",
    "效益指标": "效益",
    "满意度指标": "满意度",
    "数量指标": "数量",
    "质量指标": "质量",
    "时效指标": "时效",
    "经济成本指标": "经济成本",
    "社会效益指标": "社会效益",
    "生态效益指标": "生态效益",
    "经济效益指标": "经济效益",
    "可持续影响指标": "可持续影响",
    "服务对象满意度指标": "服务对象满意度",
}
# Every level-2 family of the newer template, written without 指标.
SHORT: tuple[Group, ...] = (
    (
        "产出",
        (
            (
                "数量",
                (
                    ("巡护里程", "≥1200公里", "1315公里", "10", "10"),
                    ("宣传活动场次", "≥12场", "14场", "10", "10"),
                ),
            ),
            ("质量", (("设备完好率", "≥95%", "97%", "10", "10"),)),
            ("时效", (("任务按时完成率", "100%", "100%", "10", "10"),)),
        ),
    ),
    ("成本", (("经济成本", (("运行经费", "≤85万元", "83.2万元", "10", "10"),)),)),
    (
        "效益",
        (
            ("社会效益", (("受益群众人数", "≥5000人", "5620人", "10", "10"),)),
            ("生态效益", (("植被恢复面积", "≥30亩", "32亩", "10", "10"),)),
            ("可持续影响", (("长效机制建设", "健全", "健全", "10", "10"),)),
        ),
    ),
    ("满意度", (("服务对象满意度", (("群众满意度", "≥90%", "95%", "10", "10"),)),)),
)
# The older 部门整体 framework: 投入/过程/产出/效果 over its own level-2 names.
OLD_FRAMEWORK: tuple[Group, ...] = (
    (
        "投入",
        (
            (
                "预算配置",
                (
                    ("在职人员控制率", "≤100%", "96%", "10", "10"),
                    ("重点支出安排率", "≥80%", "86%", "10", "10"),
                ),
            ),
        ),
    ),
    (
        "过程",
        (
            (
                "预算执行",
                (
                    ("预算完成率", "100%", "98%", "10", "9"),
                    ("结转结余率", "≤10%", "4%", "10", "10"),
                ),
            ),
            ("预算管理", (("资金使用合规性", "合规", "合规", "10", "10"),)),
            ("资产管理", (("固定资产利用率", "≥90%", "93%", "10", "10"),)),
        ),
    ),
    (
        "产出",
        (
            (
                "职责履行",
                (
                    ("重点工作办结率", "100%", "100%", "10", "10"),
                    ("完成及时率", "100%", "100%", "10", "10"),
                ),
            ),
        ),
    ),
    (
        "效果",
        (
            (
                "履职效益",
                (
                    ("社会效益", "明显", "明显", "10", "10"),
                    ("服务对象满意度", "≥90%", "94%", "10", "10"),
                ),
            ),
        ),
    ),
)
# A scoring rubric (指标解释 | 分值 | 评分标准 | 得分): names glued to their explanation
# in a flattened copy.
RUBRIC: tuple[Group, ...] = (
    (
        "产出",
        (
            (
                "数量",
                (
                    ("受理投诉件数", "全年受理的投诉举报件数", "8", "完成得满分", "8"),
                    ("新增登记户数", "全年新登记的经营户数", "9", "每少10户扣1分", "8"),
                ),
            ),
            ("质量", (("抽检合格率", "抽检合格批次占比", "10", "低于目标不得分", "10"),)),
            ("时效", (("按时办结率", "按时办结件数占比", "10", "每低1%扣1分", "9"),)),
        ),
    ),
    ("成本", (("经济成本", (("经费控制率", "实际支出与预算之比", "8", "超支不得分", "8"),)),)),
    (
        "效益",
        (
            ("社会效益", (("消费环境改善", "消费环境改善程度", "10", "明显改善得满分", "10"),)),
            ("经济效益", (("营商环境优化", "营商环境优化程度", "10", "酌情扣分", "9"),)),
        ),
    ),
    (
        "满意度",
        (("服务对象满意度", (("群众满意度", "问卷调查满意比例", "10", "低于90%扣分", "10"),)),),
    ),
)
# The older template: 成本指标 a level 2 under 产出指标 (a level 1 in the newer one).
COST_UNDER_OUTPUT: tuple[Group, ...] = (
    (
        "产出指标",
        (
            (
                "数量指标",
                (
                    ("巡护里程", "≥1200公里", "1315公里", "10", "10"),
                    ("宣传活动场次", "≥12场", "14场", "10", "10"),
                ),
            ),
            (
                "成本指标",
                (
                    ("运行经费", "≤85万元", "83.2万元", "10", "10"),
                    ("设备维护费", "≤12万元", "11.5万元", "10", "10"),
                ),
            ),
        ),
    ),
    ("效益指标", (("社会效益指标", (("受益群众人数", "≥5000人", "5620人", "10", "10"),)),)),
    ("满意度指标", (("服务对象满意度指标", (("群众满意度", "≥90%", "95%", "10", "10"),)),)),
)
# The newer template: 成本 a level 1 over its own family; in a glued copy a centred 成本
# on a row without a level 2 is told from the older one's 成本 by that family.
COST_FAMILY: tuple[Group, ...] = (
    (
        "产出",
        (
            (
                "数量",
                (
                    ("巡护里程", "≥1200公里", "1315公里", "10", "10"),
                    ("宣传活动场次", "≥12场", "14场", "10", "10"),
                ),
            ),
        ),
    ),
    (
        "成本",
        (
            ("经济成本", (("运行经费", "≤85万元", "83.2万元", "10", "10"),)),
            ("社会成本", (("噪声投诉件数", "≤5件", "3件", "10", "10"),)),
            ("生态环境成本", (("能耗下降率", "≥2%", "3%", "10", "10"),)),
        ),
    ),
    ("满意度", (("服务对象满意度", (("群众满意度", "≥90%", "95%", "10", "10"),)),)),
)
_FULL_NAMES = {v: k for k, v in BARE_NAMES.items()}
_TOTAL = ("", "", "100", "98")


def _combined(open_: str, close: str, header: str = "指标类别") -> Shape:
    """Level 1 and level 2 in one cell (产出指标-数量指标, 产出指标（数量指标）)."""
    groups = tuple(
        (None, tuple((f"{l1}{open_}{l2}{close}", rows) for l2, rows in subs))
        for l1, subs in STANDARD
    )
    levels = tuple((l1, l2) for l1, subs in STANDARD for l2, rows in subs for _ in rows)
    name = f"combined{open_}"
    header_row = (header, *HEADER[2:])
    return Shape(name, header_row, groups, levels=levels, level_cols=1)


TWO_LEVELS = (
    Shape("standard", HEADER, STANDARD),
    Shape("bare-names", HEADER, _renamed(STANDARD, BARE_NAMES)),
    Shape("short-names", HEADER, SHORT),
    Shape("old-framework", HEADER, OLD_FRAMEWORK),
    Shape("category-columns", _header("指标类别", "指标子类"), STANDARD),
    Shape("dimension-columns", _header("维度", "要素"), STANDARD),
    Shape("total-first", HEADER, STANDARD, total=_TOTAL, total_at=0),
    Shape("total-between-groups", HEADER, STANDARD, total=_TOTAL, total_at=1),
    Shape("total-last", HEADER, STANDARD, total=_TOTAL),
    Shape("rubric-bare", RUBRIC_HEADER, RUBRIC, points_at=(2, 4), total=("", "75", "", "72")),
    Shape("rubric-full", RUBRIC_HEADER, _renamed(RUBRIC, _FULL_NAMES), points_at=(2, 4)),
)
# 成本 under 产出, or over its own family: no family tells the two-row groups apart, so a
# label on the upper of two middle rows cannot be told from one on the lower.
COST_LEVEL2 = (
    Shape("cost-level2", HEADER, COST_UNDER_OUTPUT),
    Shape(
        "cost-level2-bare", HEADER, _renamed(COST_UNDER_OUTPUT, BARE_NAMES | {"成本指标": "成本"})
    ),
    Shape("cost-level1", HEADER, COST_FAMILY),
)
# Labels on every row (no merged cells): nothing to place.
REPEATED = (
    Shape("repeated", HEADER, STANDARD, repeat=True),
    Shape("repeated-short", HEADER, SHORT, repeat=True),
)
# Level 1 on a row of its own above its rows, level 2 in a column.
HEADINGS = Shape("heading-rows", HEADER[1:], STANDARD, level_cols=1, heading_rows=True)
# One level column: level 2 alone, or both levels in one cell.
ONE_LEVEL = (
    Shape("level2-only", HEADER[1:], _level2_only(STANDARD), level_cols=1),
    Shape("level2-only-short", HEADER[1:], _level2_only(SHORT), level_cols=1),
    _combined("-", ""),
    _combined("/", ""),
    _combined("（", "）"),
    _combined("—", "", header="一级/二级指标"),
)
