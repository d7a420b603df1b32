"""The report's words: Chinese first with the English beside it, in the reviewer UI's terms."""

from __future__ import annotations

from eval.report_terms import RECORD_TYPES, TERMS, record_type_label, split_label, term
from service.ui.i18n import EN, ZH


def test_record_types_read_as_the_ui_names_them() -> None:
    # one vocabulary: the report's record-type words are the UI's group labels
    for name, (zh, _en) in RECORD_TYPES.items():
        assert ZH[f"group.{name}"] == zh, name


def test_the_report_reuses_the_ui_words_for_the_eval_page() -> None:
    for key, ui_key in (
        ("title", "eval.title"),
        ("overall_f1", "eval.overall"),
        ("findings_f1", "eval.findings"),
        ("record_type", "eval.record_type"),
        ("extractor", "eval.extractor"),
        ("commit", "eval.commit"),
        ("numeric", "eval.numeric"),
    ):
        assert TERMS[key][0] == ZH[ui_key], key
    assert EN["eval.record_type"].lower() == TERMS["record_type"][1]


def test_labels_put_chinese_first_and_keep_the_english() -> None:
    assert str(split_label("heldout")) == '留出集 <span class="en">held-out</span>'
    assert str(split_label("tuning")) == '调参集 <span class="en">tuning</span>'
    assert str(record_type_label("projects")) == '项目支出 <span class="en">projects</span>'
    assert str(term("h_format")) == '按输入格式 <span class="en">By input format</span>'
    # an unknown split or type shows its name once, escaped
    assert str(split_label("<x>")) == "&lt;x&gt;"
