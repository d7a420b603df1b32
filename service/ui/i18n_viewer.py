"""The words of the review page's page viewer (Chinese first): zoom, fit, thumbnails, page
jump, find-in-page, and the box of a value since corrected.

Part of the UI's strings (``service.ui.i18n`` merges these into its two dicts, so ``t()``,
the English fallback and the same-keys test cover them). Must not hold business rules.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    "review.viewer.tools": "原文工具",
    "review.viewer.zoom_in": "放大（+）",
    "review.viewer.zoom_out": "缩小（-）",
    "review.viewer.zoom": "缩放比例",
    "review.viewer.fit_width": "适合宽度",
    "review.viewer.fit_page": "适合页面",
    "review.viewer.thumbs": "缩略图",
    "review.viewer.thumbs_hint": "显示或隐藏页面缩略图",
    "review.viewer.page_no": "页码",
    "review.viewer.of": "/ {n}",
    "review.viewer.go": "跳到第几页（回车）",
    "review.viewer.find": "查找原文",
    "review.viewer.find_hint": "在原文中查找（回车）",
    "review.viewer.prev": "上一处（Shift+回车）",
    "review.viewer.next": "下一处（回车）",
    "review.viewer.count": "第 {i} / {n} 处",
    "review.viewer.none": "未找到",
    "review.viewer.more": "（仅标出前 {n} 处）",
    "review.viewer.no_box": "第 {n} 页（此处无位置框）",
    "review.was_box": "更正前的原文：{raw}（已被更正，不是现在的值）",
}

EN: dict[str, str] = {
    "review.viewer.tools": "Source tools",
    "review.viewer.zoom_in": "Zoom in (+)",
    "review.viewer.zoom_out": "Zoom out (-)",
    "review.viewer.zoom": "Zoom",
    "review.viewer.fit_width": "Fit width",
    "review.viewer.fit_page": "Fit page",
    "review.viewer.thumbs": "Thumbnails",
    "review.viewer.thumbs_hint": "Show or hide page thumbnails",
    "review.viewer.page_no": "Page",
    "review.viewer.of": "/ {n}",
    "review.viewer.go": "Go to page (Enter)",
    "review.viewer.find": "Find in source",
    "review.viewer.find_hint": "Find in the source text (Enter)",
    "review.viewer.prev": "Previous (Shift+Enter)",
    "review.viewer.next": "Next (Enter)",
    "review.viewer.count": "{i} of {n}",
    "review.viewer.none": "Not found",
    "review.viewer.more": "(first {n} marked)",
    "review.viewer.no_box": "Page {n} (no box here)",
    "review.was_box": "Text before the correction: {raw} (corrected; not the current value)",
}
