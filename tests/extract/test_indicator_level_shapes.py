"""一级/二级 levels of 自评表 rows in every table shape we could write, read through the
real readers from every input format (``indicator_level_shapes``): merged level cells
whose text stands on the group's first, middle (either of two), last row or between two
rows; levels with and without 指标, the older 投入/过程/产出/效果 framework, differently
named level columns, level rows of their own, both levels in one cell, a 合计 row first,
between groups or last. Then the settling of levels on records, the framework fallback,
and the names of indicators stated as sentences."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.extract.indicator_levels import OwnLabels, settle_levels
from service.extract.indicators import label_parts
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import Indicator, ReportExport, Value
from tests.extract import indicator_level_shapes as ls

# Copies that keep only positions: where a merged cell's text stood matters.
POSITIONAL = ("tabs", "spaced", "glued", "stacked", "borderless_pdf")
# Copies that keep the merged cell itself: its text's place does not.
MERGED = ("docx", "ruled_pdf", "xlsx")
PLACES = ("top", "middle", "upper", "bottom")


def _cases() -> list[tuple[ls.Shape, str, str]]:
    out = []
    for shape in ls.TWO_LEVELS:
        out += [(shape, p, f) for p in (*PLACES, "between") for f in POSITIONAL]
        out += [(shape, "top", f) for f in MERGED]
    for shape in ls.COST_LEVEL2:
        out += [(shape, p, f) for p in ("top", "middle", "bottom") for f in POSITIONAL]
        out += [(shape, "top", f) for f in MERGED]
    out += [(shape, "top", f) for shape in ls.REPEATED for f in (*POSITIONAL, *MERGED)]
    # One level column (level 1 on rows of its own, or none): a label on the upper of two
    # middle rows, or on the last row, reads as centred on the lower one (nothing else
    # tells them apart), so not those. A level row of its own in a borderless PDF is read
    # into the level cell next to it (the PDF reader's doing), and one cell per line has no
    # row of its own.
    out += [
        (ls.HEADINGS, p, f)
        for p in ("top", "middle", "between")
        for f in ("tabs", "spaced", "glued")
    ]
    out += [(ls.HEADINGS, "top", f) for f in MERGED]
    for shape in ls.ONE_LEVEL:
        out += [(shape, p, f) for p in ("top", "middle") for f in POSITIONAL]
        out += [(shape, "top", f) for f in MERGED]
    return [
        c
        for c in out
        # a line of its own between rows is no cell of a one-cell-per-line copy
        if not (c[1] == "between" and c[2] == "stacked")
    ]


def _v(x: Value | None) -> object:
    if x is None:
        return None
    return float(x.value) if isinstance(x.value, int | float | Decimal) else x.value


def _levels(e: ReportExport) -> list[tuple]:
    return [
        (_v(i.level1), _v(i.level2), _v(i.level3), _v(i.weight), _v(i.score)) for i in e.indicators
    ]


def _read(shape: ls.Shape, place: str, fmt: str) -> ReportExport:
    data, name = ls.RENDER[fmt](shape.family(place))
    return extract_rules(read_document(data, name)).export


@pytest.mark.parametrize(
    ("shape", "place", "fmt"),
    _cases(),
    ids=lambda x: x.name if isinstance(x, ls.Shape) else x,
)
def test_every_row_takes_the_levels_of_its_group(shape: ls.Shape, place: str, fmt: str) -> None:
    assert _levels(_read(shape, place, fmt)) == shape.expected()


@pytest.mark.parametrize("fmt", ["tabs", "glued", "docx", "borderless_pdf"])
def test_a_total_row_first_keeps_the_rows_and_gives_the_total(fmt: str) -> None:
    shape = next(s for s in ls.TWO_LEVELS if s.name == "total-first")
    e = _read(shape, "top", fmt)
    assert len(e.indicators) == 9
    assert e.report.total_score is not None and e.report.total_score.value == 98


def test_rows_after_the_total_that_are_no_indicators_stay_out() -> None:
    """After the 合计 row: a conclusion row and a grade row, with figures, are not rows."""
    text = "\n".join(
        [
            "附件：部门整体支出绩效自评表",
            "\t".join(ls.HEADER),
            "产出指标\t数量指标\t巡护里程\t≥1200公里\t1315公里\t50\t50",
            "效益指标\t社会效益指标\t受益群众人数\t≥5000人\t5620人\t50\t48",
            "合计\t\t\t\t\t100\t98",
            "评价结论\t\t\t\t\t\t优",
            "自评等级\t优\t\t\t\t90\t98",
        ]
    )
    e = extract_rules(read_document(text.encode(), "t.txt")).export
    assert [_v(i.level3) for i in e.indicators] == ["巡护里程", "受益群众人数"]
    assert e.report.total_score is not None and e.report.total_score.value == 98


# --- settling levels on records ---------------------------------------------------------


def _val(text: str) -> Value:
    return Value(value=text, raw=text)


def _ind(name: str, l1: str | None = None, l2: str | None = None) -> Indicator:
    return Indicator(
        level1=_val(l1) if l1 else None, level2=_val(l2) if l2 else None, level3=_val(name)
    )


def _pairs(rows: list[Indicator]) -> list[tuple]:
    return [(_v(r.level1), _v(r.level2)) for r in rows]


def test_labels_at_the_foot_of_their_groups_go_up() -> None:
    """Both columns' labels on the last row of their groups (3 + 1 rows, then 2)."""
    a, b, q, t, s = (
        _val(x) for x in ("产出指标", "效益指标", "数量指标", "时效指标", "社会效益指标")
    )
    own = [OwnLabels(), OwnLabels(), OwnLabels(level2=q), OwnLabels(a, t)]
    own += [OwnLabels(), OwnLabels(b, s)]
    rows = [_ind(n) for n in "甲乙丙丁戊己"]
    assert _pairs(settle_levels(rows, own)) == [
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("产出指标", "时效指标"),
        ("效益指标", "社会效益指标"),
        ("效益指标", "社会效益指标"),
    ]


def test_a_family_never_goes_under_another_family() -> None:
    """满意度指标 centred on the last two rows; the row above them is 数量指标 (产出): it
    does not take 满意度指标 whatever the distances say, and keeps what was read."""
    a, c = _val("产出指标"), _val("满意度指标")
    own = [OwnLabels(level1=a), OwnLabels(), OwnLabels(), OwnLabels(level1=c)]
    rows = [
        _ind("甲", "产出指标", "数量指标"),
        _ind("乙", "产出指标", "数量指标"),
        _ind("丙", "产出指标", "数量指标"),
        _ind("丁", "满意度指标", "服务对象满意度指标"),
    ]
    out = settle_levels(rows, own)
    assert [_v(r.level1) for r in out] == ["产出指标", "产出指标", "产出指标", "满意度指标"]


def test_top_aligned_labels_carry_down_whatever_the_framework_says() -> None:
    """预算执行率 is a 过程 name in the framework; the document puts it under 投入."""
    a, b = _val("投入"), _val("过程")
    own = [OwnLabels(level1=a), OwnLabels(), OwnLabels(level1=b)]
    rows = [_ind("在职人员控制率", "投入"), _ind("预算执行率", "投入"), _ind("结转结余率", "过程")]
    assert [_v(r.level1) for r in settle_levels(rows, own)] == ["投入", "投入", "过程"]


def test_more_labels_than_rows_leave_the_rows_as_read() -> None:
    a, b = _val("产出指标"), _val("效益指标")
    own = [OwnLabels(level1=a)]
    rows = [_ind("甲", "产出指标")]
    out = settle_levels(rows, own, [(-0.5, OwnLabels(level1=b))])
    assert _pairs(out) == [("产出指标", None)]


def test_the_framework_fills_levels_only_where_no_row_states_one() -> None:
    stated = "\n".join(
        [
            "\t".join(ls.HEADER),
            "产出指标\t数量指标\t预算执行率\t≥95%\t98%\t50\t50",
            "\t\t巡护里程\t≥1200公里\t1315公里\t50\t48",
        ]
    )
    e = extract_rules(read_document(stated.encode(), "t.txt")).export
    assert [(_v(i.level1), _v(i.level2)) for i in e.indicators] == [("产出指标", "数量指标")] * 2
    bare = "\n".join(
        [
            "\t".join(ls.HEADER[2:]),
            "预算执行率\t≥95%\t98%\t50\t50",
            "巡护里程\t≥1200公里\t1315公里\t50\t48",
        ]
    )
    e = extract_rules(read_document(bare.encode(), "t.txt")).export
    assert [(_v(i.level1), _v(i.level2)) for i in e.indicators] == [
        ("过程", "预算执行"),
        (None, None),
    ]


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("产出指标-数量指标", ["产出指标", "数量指标"]),
        ("产出/数量", ["产出", "数量"]),
        ("产出指标（数量指标）", ["产出指标", "数量指标"]),
        ("一、效益指标—社会效益指标", ["效益指标", "社会效益指标"]),
        ("过程/预算执行", ["过程", "预算执行"]),
        # not two names: points in brackets, a name with a slash in it
        ("产出指标（40分）", ["产出指标"]),
        ("巡护里程/次数", ["巡护里程/次数"]),
    ],
)
def test_a_label_cell_holds_one_or_two_level_names(cell: str, names: list[str]) -> None:
    assert [n for _, _, n in label_parts(cell, 0, len(cell))] == names


# --- indicators stated as sentences: the name is the indicator's own ---------------------


def _sentence(body: str) -> list[tuple]:
    text = "四、绩效指标完成情况\n" + body + "\n"
    e = extract_rules(read_document(text.encode(), "memo.txt")).export
    return [
        (_v(i.level1), _v(i.level2), _v(i.level3), _v(i.target), _v(i.actual), _v(i.score))
        for i in e.indicators
    ]


@pytest.mark.parametrize(
    ("sentence", "want"),
    [
        (
            "其中，巡护里程目标值≥1200公里，实际完成1315公里，分值10分，得10分。",
            (None, None, "巡护里程", 1200, 1315, 10),
        ),
        (
            "本年度持续开展巡护工作，巡护里程目标值≥1200公里，实际完成1315公里，分值10分，得分10分。",
            (None, None, "巡护里程", 1200, 1315, 10),
        ),
        (
            "关于巡护里程指标，年初设定目标值为≥1200公里，实际完成1315公里，分值10分，得分9分。",
            (None, None, "巡护里程", 1200, 1315, 9),
        ),
        (
            "产出指标中，巡护里程计划完成≥1200公里，实际完成1315公里，分值10分，得分10分。",
            ("产出指标", None, "巡护里程", 1200, 1315, 10),
        ),
        (
            "全年巡护里程实际完成1315公里，目标值为≥1200公里，分值10分，得分10分。",
            (None, None, "巡护里程", 1200, 1315, 10),
        ),
        (
            "培训计划的完成率为96%，目标值≥95%，分值10分，得分10分。",
            (None, None, "培训计划的完成率", 95, 96, 10),
        ),
        (
            "群众满意度达到95%，目标值≥90%，分值10分，得分10分。",
            (None, None, "群众满意度", 90, 95, 10),
        ),
        (
            "巡护里程方面，目标值≥1200公里，实际完成1315公里，分值10分，得分10分。",
            (None, None, "巡护里程", 1200, 1315, 10),
        ),
        (
            "我单位通过加强管理，设备完好率目标值≥95%，实际达到97%，分值10分，得分10分。",
            (None, None, "设备完好率", 95, 97, 10),
        ),
        (
            "在数量指标方面，巡护里程年度目标值为≥1200公里，实际完成1315公里，分值10分，得分10分。",
            (None, "数量指标", "巡护里程", 1200, 1315, 10),
        ),
    ],
)
def test_a_sentence_names_its_indicator_not_its_clause(sentence: str, want: tuple) -> None:
    assert _sentence(sentence) == [want]


@pytest.mark.parametrize(
    "body",
    [
        "（一）产出—数量：巡护里程，目标值≥1200公里，实际完成1315公里，分值10分，得分10分。",
        "产出/数量/巡护里程：目标值≥1200公里，实际完成1315公里，分值10分，得分10分。",
        "巡护里程（产出-数量）：目标值≥1200公里，实际完成1315公里，分值10分，得分10分。",
        "一级指标：产出，二级指标：数量，三级指标：巡护里程，目标值≥1200公里，实际完成1315公里，"
        "分值10分，得分10分。",
        "1.产出\n（1）数量\n巡护里程：目标值≥1200公里，实际完成1315公里，分值10分，得分10分。",
    ],
)
def test_sentence_levels_written_without_zhibiao(body: str) -> None:
    assert _sentence(body) == [("产出", "数量", "巡护里程", 1200, 1315, 10)]


def test_a_level_heading_of_another_family_drops_the_level1_above() -> None:
    """社会效益 under a 产出 heading: a new family whose 一级 the text does not give."""
    body = (
        "1.产出\n（1）数量\n巡护里程：目标值≥1200公里，实际完成1315公里，分值10分，得分10分。\n"
        "（2）社会效益\n受益群众人数：目标值≥5000人，实际完成5620人，分值10分，得分9分。"
    )
    assert _sentence(body) == [
        ("产出", "数量", "巡护里程", 1200, 1315, 10),
        (None, "社会效益", "受益群众人数", 5000, 5620, 9),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        # no score: a statement of results, no row
        "全年巡护里程实际完成1315公里，目标值为≥1200公里。",
        "到年底资金拨付到位率为95%，项目竣工验收完成率为100%。",
    ],
)
def test_a_sentence_without_a_score_is_no_row(sentence: str) -> None:
    assert _sentence(sentence) == []
