"""Glued 自评表 rows in any column order, split by the shape of each cell
(``flat_indicator_rows``), and headers written over two glued lines."""

from __future__ import annotations

import pytest

from service.extract.flat_indicator_rows import split_row
from service.extract.flat_indicators import two_row_header


def cells(text: str, roles: list[str]) -> dict[str, str] | None:
    splits = split_row(text, 0, len(text), roles)
    if not splits:
        return None
    return {role: text[a:b] for role, (a, b) in splits[0].spans.items()}


STANDARD = ["level3", "target", "actual", "weight", "score"]


@pytest.mark.parametrize(
    ("text", "roles", "want"),
    [
        # name, a target and an actual in words, points
        (
            "完成及时率及时完成按时完成55",
            STANDARD,
            {
                "level3": "完成及时率",
                "target": "及时完成",
                "actual": "按时完成",
                "weight": "5",
                "score": "5",
            },
        ),
        # a figure target and an actual in words, no points column
        (
            "群众满意度≥90%达到预期",
            ["level3", "target", "actual"],
            {"level3": "群众满意度", "target": "≥90%", "actual": "达到预期"},
        ),
        # the weight before the target, a weight and a target glued (1512个: 15 | 12个)
        (
            "入河排污口整治数量1512个11个13.5",
            ["level3", "weight", "target", "actual", "score"],
            {
                "level3": "入河排污口整治数量",
                "weight": "15",
                "target": "12个",
                "actual": "11个",
                "score": "13.5",
            },
        ),
        # the deviation before the points: the % stays with its figure
        (
            "孕产妇系统管理率≥90%87%流动人口增加1513",
            ["level3", "target", "actual", "deviation", "weight", "score"],
            {
                "level3": "孕产妇系统管理率",
                "target": "≥90%",
                "actual": "87%",
                "deviation": "流动人口增加",
                "weight": "15",
                "score": "13",
            },
        ),
        # the deviation last, starting with a character that is also a unit (个)
        (
            "查档利用按时办结率100%98%109个别申请材料不全",
            [*STANDARD, "deviation"],
            {
                "level3": "查档利用按时办结率",
                "target": "100%",
                "actual": "98%",
                "weight": "10",
                "score": "9",
                "deviation": "个别申请材料不全",
            },
        ),
        # the target's unit on the actual too (1186户, not 1 | 18 | 6)
        (
            "老旧小区改造户数≥1200户1186户2018两个小区延至次年",
            [*STANDARD, "deviation"],
            {
                "level3": "老旧小区改造户数",
                "target": "≥1200户",
                "actual": "1186户",
                "weight": "20",
                "score": "18",
                "deviation": "两个小区延至次年",
            },
        ),
    ],
)
def test_row_splits_by_shapes(text: str, roles: list[str], want: dict[str, str]) -> None:
    assert cells(text, roles) == want


def test_two_unknown_phrases_run_together_are_not_parted() -> None:
    assert cells("矛盾纠纷化解有效化解基本化解108", STANDARD) is None


def test_a_score_over_its_weight_is_no_split() -> None:
    # 10 | 12 would score over the weight; 1 | 0.12 … are no points either
    assert cells("巡河次数≥48次52次1012", STANDARD) is None


def test_two_row_header_roles() -> None:
    upper = ["level1", "level2", "level3", "target", "weight", "score"]
    assert two_row_header(upper, ["target", "actual"]) == [
        "level1",
        "level2",
        "level3",
        "target",
        "actual",
        "weight",
        "score",
    ]
    upper = ["level3", "target", "actual", "weight", "score"]
    assert two_row_header(upper, ["level1", "level2", "level3"]) == [
        "level1",
        "level2",
        "level3",
        "target",
        "actual",
        "weight",
        "score",
    ]
