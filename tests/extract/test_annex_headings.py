"""An annex line (“附表：…”, “附件”, “附表2 …”) closes the section before it: its title is
no measure nor problem of that section. Invented texts."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


@pytest.mark.parametrize(
    "annex",
    ["附表：部门整体支出绩效自评表", "附件", "附表2  绩效指标完成情况表", "附件：自评得分明细"],
)
def test_an_annex_line_is_no_item_of_the_list_above(annex: str) -> None:
    text = (
        "八、改进措施\n一是加强项目前期论证；二是完善绩效指标体系。\n\n"
        f"{annex}\n指标名称\t目标值\t完成值\n群众满意度\t≥90%\t93%\n"
    )
    export = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export
    assert [str(m.text.value).rstrip("。") for m in export.measures] == [
        "加强项目前期论证",
        "完善绩效指标体系",
    ]


def test_a_sentence_that_mentions_an_annex_is_no_heading() -> None:
    text = "七、存在问题\n附件材料报送不及时，部分佐证资料缺失。\n"
    export = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export
    problems = [str(p.text.value).replace(",", "，") for p in export.problems]
    assert problems == ["附件材料报送不及时，部分佐证资料缺失。"]
