"""The words of report.html, Chinese first and English beside it, as the reviewer UI shows them.

Owns the report's labels: headings, table headers, legend words, split and record-type names.
The wording is the reviewer UI's (service/ui/i18n.py: 抽取准确率评测, 总体 F1, 记录类型, the
record groups…); eval does not import the UI (it would pull in the web app), so the few terms
are kept here and a test checks they still read as the UI's. Must not hold scoring rules.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

# record types of the summary → (zh, en); the zh words are the UI's group.* labels
RECORD_TYPES: dict[str, tuple[str, str]] = {
    "report": ("报告信息", "report"),
    "staffing": ("人员情况", "staffing"),
    "budget": ("收支预算", "budget"),
    "basic_breakdown": ("基本支出明细", "basic_breakdown"),
    "lines": ("基础数据表", "lines"),
    "three_public": ("三公经费", "three_public"),
    "projects": ("项目支出", "projects"),
    "indicators": ("绩效指标", "indicators"),
    "achievements": ("工作成效", "achievements"),
    "problems": ("存在的问题", "problems"),
    "measures": ("改进措施", "measures"),
    "findings": ("发现的问题", "findings"),
}

SPLITS: dict[str, tuple[str, str]] = {
    "heldout": ("留出集", "held-out"),
    "tuning": ("调参集", "tuning"),
    "seeds": ("种子集", "seeds"),
}

TERMS: dict[str, tuple[str, str]] = {
    # UI words (service/ui/i18n.py eval.*)
    "title": ("抽取准确率评测", "extraction accuracy"),
    "overall_f1": ("总体 F1", "overall F1"),
    "numeric": ("数值准确率", "numbers exactly right"),
    "findings_f1": ("问题检出 F1", "findings F1"),
    "grounded": ("可溯源比例", "grounded values"),
    "record_type": ("记录类型", "record type"),
    "extractor": ("抽取器", "extractor"),
    "commit": ("代码版本", "commit"),
    "documents": ("文档数", "documents"),
    "vs_previous": ("较上次", "vs previous run"),
    "format": ("格式", "format"),
    "document": ("文档", "document"),
    # the report's own
    "precision_recall": ("精确率 / 召回率", "precision / recall"),
    "llm_calls": ("大模型调用 / 词元", "LLM calls / tokens"),
    "prompts": ("提示词版本", "prompts"),
    "no_previous": ("无上次评测", "no previous run"),
    "dropped": ("下降", "dropped"),
    "improved": ("提高", "improved"),
    "field": ("字段", "field"),
    "f1_before": ("此前 F1", "F1 before"),
    "f1_now": ("现在 F1", "F1 now"),
    "h_generalisation": ("泛化：留出集与调参集", "Generalisation: held-out vs tuning"),
    "h_trend": ("历次评测的准确率", "Accuracy over past runs"),
    "h_record_type": ("按记录类型", "By record type"),
    "h_format": ("按输入格式", "By input format"),
    "h_worst": (
        "最差的文档：错在哪里（逐项对照）",
        "Worst documents: what went wrong, side by side",
    ),
    "h_fields": ("按字段", "Per field"),
    "h_documents": ("全部文档", "Every document"),
    "h_set": ("评测集", "The set"),
    "split": ("划分", "split"),
    "counts": ("以此为准", "counts"),
    "items": ("条目", "items"),
    "scalars": ("标量读对", "scalars read"),
    "projects_f1": ("项目 F1", "projects F1"),
    "indicators_f1": ("指标行 F1", "indicator rows F1"),
    "metrics_f1": ("成效数据 F1", "metrics F1"),
    "contradictions": ("矛盾检出", "contradictions found"),
    "alarms": ("误报错误 / 每 10 份一致文档", "error alarms / 10 consistent"),
    "family": ("变体族 · 变体", "family · variant"),
    "per_family": ("按变体族和格式", "per family and per format"),
    "variants": ("个变体", "variants"),
    "held_out_variant": ("留出", "held-out"),
    "rows_f1": ("行 F1", "rows F1"),
    "overall": ("总体", "overall"),
    "numbers_right": ("数值读对", "numbers right"),
    "kind": ("类型", "kind"),
    "support": ("标注数", "support"),
    "numbers": ("数值", "numbers"),
    "findings": ("问题检出", "findings"),
    "grounded_short": ("可溯源", "grounded"),
    "seconds": ("秒", "s"),
    "source": ("来源", "kind"),
    "formats": ("格式", "formats"),
    "tests": ("考查内容", "what it tests"),
    "expected": ("标注值", "expected"),
    "got": ("抽取值", "got"),
    "source_text": ("原文", "source text"),
    "wrong": ("错误", "wrong"),
    "missing": ("遗漏", "missing"),
    "extra": ("多出", "extra"),
    "missed": ("漏检", "missed"),
    "false_alarm": ("误报", "false alarm"),
    "not_right": ("个值不对", "value(s) not right"),
    "no_wrong": ("没有文档有错误值。", "No document has a wrong value."),
}


def pair(zh: str, en: str) -> Markup:
    """Chinese, and the English beside it in a quieter span."""
    if zh == en:
        return Markup(escape(zh))
    return Markup(f'{escape(zh)} <span class="en">{escape(en)}</span>')


def term(key: str) -> Markup:
    zh, en = TERMS[key]
    return pair(zh, en)


def split_label(split: str) -> Markup:
    zh, en = SPLITS.get(split, (split, split))
    return pair(zh, en)


def record_type_label(name: str) -> Markup:
    zh, en = RECORD_TYPES.get(name, (name, name))
    return pair(zh, en)
