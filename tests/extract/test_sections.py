"""The section tree: heading styles, the exported numbering artefacts, spans."""

from __future__ import annotations

from service.extract.sections import build_sections
from service.ingest import read_path
from tests.extract.docs import text_doc
from tests.extract.seeds import seed_path


def _outline(doc) -> list[tuple[int, str | None, str]]:  # noqa: ANN001
    return [(s.level, s.number, s.title) for s in build_sections(doc).walk() if s.level]


def test_heading_levels_and_spans() -> None:
    doc = text_doc(
        [
            "某局2022年度部门整体支出绩效自评报告",
            "一、部门基本情况",
            "（一）主要职能",
            "负责全县交通运输工作。",
            "（二）人员情况",
            "1.在编人员",
            "（1）行政编制",
            "二、存在的问题",
            "附件1",
        ]
    )
    assert _outline(doc) == [
        (1, "一", "部门基本情况"),
        (2, "一", "主要职能"),
        (2, "二", "人员情况"),
        (3, "1", "在编人员"),
        (4, "1", "行政编制"),
        (1, "二", "存在的问题"),
        (1, "1", "附件1"),
    ]
    root = build_sections(doc)
    first = root.children[0]
    assert doc.text[first.heading.start : first.heading.end] == "一、部门基本情况"
    assert doc.text[first.span.start : first.span.end].startswith("一、部门基本情况")
    assert "二、存在的问题" not in doc.text[first.span.start : first.span.end]
    inner = root.innermost(doc.text.index("负责全县"))
    assert inner.title == "主要职能" and inner.label() == "一、(一)"


def test_seed_000_numbering_artefacts() -> None:
    """“1、 部门（单位）基本情况”, “4、 国有资本…” stand for 一、/四、; “（1） 完善…”
    directly under 8、 stands for （一）; “1、部门整体支出…基础数据表” in the list of
    attachments is not a top-level heading."""
    root = build_sections(read_path(seed_path("seed_000")))
    top = [(s.number, s.title) for s in root.children]
    assert top[:9] == [
        ("1", "部门(单位)基本情况"),
        ("二", "一般公共预算支出情况"),
        ("三", "政府性基金预算支出情况"),
        ("4", "国有资本经营预算支出情况"),
        ("5", "社会保险基金预算支出情况"),
        ("6", "部门整体支出绩效情况"),
        ("七", "存在的问题及原因分析"),
        ("8", "下一步改进措施"),
        ("九", "部门整体支出绩效自评结果拟应用和公开情况"),
    ]
    measures = root.children[7]
    assert [(c.level, c.title) for c in measures.children] == [
        (2, "完善绩效评价体系,加强监督检查和考核工作"),
        (2, "提高认识,加强部门整体支出绩效评价工作"),
    ]
    assert ("1", "附件1") in top and ("2", "附件2") in top
    assert not any(t == "部门整体支出绩效评价基础数据表" for _, t in top)


def test_seed_002_unnumbered_part_and_restarted_numbering() -> None:
    root = build_sections(read_path(seed_path("seed_002")))
    done = next(s for s in root.children if "实际完成情况" in s.title)
    assert done.number is None
    assert [c.number for c in done.children] == ["一", "二", "三"]
    assert [c.title for c in root.find("产出及效果")] == ["产出及效果"]


def test_a_numbered_list_item_is_not_a_top_heading() -> None:
    doc = text_doc(
        ["二、一般公共预算支出情况", "3、决算情况：2024 年总收入 3157.85 万元。", "三、政府性基金"]
    )
    assert [(s.level, s.number) for s in build_sections(doc).walk() if s.level] == [
        (1, "二"),
        (3, "3"),
        (1, "三"),
    ]


def test_arabic_parens_under_a_top_heading_are_siblings() -> None:
    # Sichuan-style: “（1）（2）（3）” directly under 五、 — the first stands for （一）, and
    # the ones after it are its siblings, not its children.
    doc = text_doc(
        [
            "五、存在的问题及原因分析",
            "（1）绩效评价结果运用不充分。绩效自评结果与下年度预算安排的衔接不够紧密。",
            "（2）预算执行进度不均衡。上半年支出进度偏慢。",
            "六、下一步改进措施",
            "（1）强化评价结果应用。将绩效评价结果作为安排下年度预算的重要依据。",
            "（二）加快预算执行进度",
            "1.建立通报机制",
            "（1）按月通报",
        ]
    )
    assert [(level, number) for level, number, _ in _outline(doc)] == [
        (1, "五"), (2, "1"), (2, "2"), (1, "六"), (2, "1"), (2, "二"), (3, "1"), (4, "1"),
    ]  # fmt: skip


def test_parts_numbered_in_other_styles() -> None:
    """“第二部分” stands above the 一、 headings; a report numbering its parts 1. 2. keeps
    its “1.” items below them; a line that is only the heading words of a list is a heading."""
    parts = _outline(
        text_doc(
            [
                "第一部分 部门概况",
                "一、主要职能",
                "第二部分 主要工作成效",
                "一、安全生产",
                "（一）隐患排查",
            ]
        )
    )
    assert parts == [
        (1, "一", "部门概况"),
        (2, "一", "主要职能"),
        (1, "二", "主要工作成效"),
        (2, "一", "安全生产"),
        (3, "一", "隐患排查"),
    ]
    dotted = _outline(
        text_doc(
            [
                "1.部门基本情况",
                "负责全区水务管理。",
                "2.存在的主要问题",
                "1.设备更新不及时。",
                "2.专业人员不足。",
                "3.改进措施",
            ]
        )
    )
    assert dotted == [
        (1, "1", "部门基本情况"),
        (1, "2", "存在的主要问题"),
        (3, "1", "设备更新不及时。"),
        (3, "2", "专业人员不足。"),
        (1, "3", "改进措施"),
    ]
    unnumbered = _outline(text_doc(["存在的不足", "资产台账不全。", "改进方向：", "建立台账。"]))
    assert unnumbered == [(1, None, "存在的不足"), (1, None, "改进方向")]
