"""三公 figures with brackets, built as families: a whole (the vehicle, the 三公 total) with
its parts in brackets — （）or (), led by 其中/含/包括 or nothing, a part nil in words (为零,
为0, 未发生, 无) or 0万元, the change after the bracket or before it, falling or rising — where
the change belongs to the whole, never to the last part inside; parts with their own changes
inside the bracket; a ； inside the bracket; the change in the next sentence; the budget's
parts; and a figure restated in brackets inside a run stated respectively (分别为1.20万元
（上年1.35万元）、…). Asides that are no parts (（含上年结转）, （占比35%）) give nothing. In
TXT, DOCX and one PDF. Every text is ours."""

from __future__ import annotations

import io
import itertools

import docx
import pymupdf
import pytest

from service.extract.resolve import get_path
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport

HEAD = ["某某局2023年度部门整体支出绩效自评报告", "三、“三公”经费情况"]

BRACKETS = (("（", "）"), ("(", ")"))
INTROS = ("其中", "其中：", "含", "包括", "")
# A part nil in words, as written after its label.
NILS = ("为零", "为0", "未发生", "无", "0万元")
WAYS = {"down": ("减少", "下降", "比上年"), "up": ("增加", "增长", "较上年")}

# Each whole: its labels, figures (actual, change, change % by way), the nil part and the
# parts with money, as (item, label, figure).
WHOLES = {
    "vehicle": {
        "labels": ("公务用车购置及运行维护费", "公务用车费"),
        "actual": "8.40",
        "change": {"down": ("0.60", "6.7"), "up": ("0.60", "7.7")},
        "nil": ("vehicle_purchase", ("购置费", "公务用车购置费")),
        "parts": (("vehicle_operation", ("运行维护费", "公务用车运行维护费"), "8.40"),),
    },
    "total": {
        "labels": ("“三公”经费支出", "三公经费"),
        "actual": "12.30",
        "change": {"down": ("1.10", "8.2"), "up": ("1.10", "9.8")},
        "nil": ("overseas", ("因公出国（境）费", "因公出国(境)费")),
        "parts": (
            ("reception", ("公务接待费",), "3.90"),
            ("vehicle", ("公务用车购置及运行维护费", "公务用车费"), "8.40"),
        ),
    },
}
# Where the change stands: after the bracket, before it, or before the level.
FORMS = (
    "{W}{a}万元{bracket}，{cmp}{d1}{c}万元，{d2}{pct}%。",
    "{W}{a}万元，{cmp}{d1}{c}万元，{d2}{pct}%{bracket}。",
    "{W}{cmp}{d1}{c}万元，{d2}{pct}%，为{a}万元{bracket}。",
)


def _bracket(whole: dict, k: int) -> str:
    """The parts in brackets: the nil one first or last, short or full labels."""
    nil_item, nil_labels = whole["nil"]
    nil = nil_labels[k % len(nil_labels)] + NILS[k % len(NILS)]
    money = [labels[k % len(labels)] + f"{figure}万元" for _, labels, figure in whole["parts"]]
    parts = [nil, *money] if k % 2 == 0 else [*money, nil]
    opening, closing = BRACKETS[k % len(BRACKETS)]
    sep = "、" if k % 3 else "，"
    return f"{opening}{INTROS[k % len(INTROS)]}{sep.join(parts)}{closing}"


def _cases(limit: int | None = None) -> list[object]:
    out = []
    for (name, whole), (f, form), way, k in itertools.product(
        WHOLES.items(), enumerate(FORMS), WAYS, range(5)
    ):
        d1, d2, cmp = WAYS[way]
        change, pct = whole["change"][way]
        n = k + f  # vary every factor across the forms
        text = form.format(
            W=whole["labels"][n % len(whole["labels"])],
            a=whole["actual"],
            bracket=_bracket(whole, n),
            cmp=cmp,
            d1=d1,
            d2=d2,
            c=change,
            pct=pct,
        )
        out.append(pytest.param(text, name, way, id=f"{name}-form{f}-{way}-{k}"))
    return out[:limit]


def read_txt(text: str) -> ReportExport:
    return extract_rules(read_document("\n".join([*HEAD, text, ""]).encode(), "t.txt")).export


def read_docx(text: str) -> ReportExport:
    d = docx.Document()
    for line in [*HEAD, text]:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return extract_rules(read_document(buf.getvalue(), "report.docx")).export


def read_pdf(text: str, width: int = 36) -> ReportExport:
    """The sentence wrapped at ``width`` characters, as a PDF lays it out."""
    lines = HEAD + [text[i : i + width] for i in range(0, len(text), width)]
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for i, line in enumerate(lines):
        page.insert_text((60, 90 + 22 * i), line, fontname="china-s", fontsize=12)
    return extract_rules(read_document(doc.tobytes(), "report.pdf")).export


def number(export: ReportExport, path: str) -> float | None:
    v = get_path(export, f"three_public.{path}")
    return None if v is None else v.number


def _check_whole(export: ReportExport, name: str, way: str, text: str) -> None:
    whole = WHOLES[name]
    change, pct = whole["change"][way]
    direction = {"down": "下降", "up": "增长"}[way]
    assert number(export, f"{name}.actual") == pytest.approx(float(whole["actual"])), text
    for column, figure, unit in (("change", change, "万元"), ("change_pct", pct, "%")):
        got = get_path(export, f"three_public.{name}.{column}")
        assert got is not None, f"{name}.{column} not read from {text!r}"
        assert (got.number, got.unit, got.direction) == (
            pytest.approx(float(figure)),
            unit,
            direction,
        )
    nil_item = whole["nil"][0]
    assert number(export, f"{nil_item}.actual") == 0, text
    for item, _, figure in whole["parts"]:
        assert number(export, f"{item}.actual") == pytest.approx(float(figure)), text
    for item in [nil_item, *(p[0] for p in whole["parts"])]:
        # the whole's change is never a part's
        assert get_path(export, f"three_public.{item}.change") is None, f"{item} in {text!r}"
        assert get_path(export, f"three_public.{item}.change_pct") is None, f"{item} in {text!r}"


@pytest.mark.parametrize(("text", "name", "way"), _cases())
def test_parts_in_brackets_txt(text: str, name: str, way: str) -> None:
    _check_whole(read_txt(text), name, way, text)


@pytest.mark.parametrize(("text", "name", "way"), _cases()[::5])
def test_parts_in_brackets_docx(text: str, name: str, way: str) -> None:
    _check_whole(read_docx(text), name, way, text)


def test_parts_in_brackets_pdf_wrapped() -> None:
    text = "公务用车购置及运行维护费8.40万元（其中购置费为零，运行维护费8.40万元），比上年减少0.60万元，下降6.7%。"
    _check_whole(read_pdf(text), "vehicle", "down", text)


@pytest.mark.parametrize("read", [read_txt, read_docx])
@pytest.mark.parametrize(
    "text",
    [
        # each part's own change inside, the whole's after; a ； inside the bracket
        "公务用车购置及运行维护费8.40万元（其中购置费2.00万元，比上年增加2.00万元；运行维护费"
        "6.40万元，比上年减少2.60万元），比上年减少0.60万元。",
        "公务用车购置及运行维护费8.40万元（其中购置费2.00万元，比上年增加2.00万元，运行维护费"
        "6.40万元，比上年减少2.60万元），比上年减少0.60万元。",
    ],
)
def test_parts_with_their_own_changes_inside(text: str, read) -> None:  # noqa: ANN001
    export = read(text)
    assert number(export, "vehicle.actual") == pytest.approx(8.40)
    got = get_path(export, "three_public.vehicle.change")
    assert got is not None and got.number == pytest.approx(0.60) and got.direction == "下降"
    purchase = get_path(export, "three_public.vehicle_purchase.change")
    assert purchase is not None and (purchase.number, purchase.direction) == (2.0, "增长")
    operation = get_path(export, "three_public.vehicle_operation.change")
    assert operation is not None
    assert (operation.number, operation.direction) == (pytest.approx(2.60), "下降")
    assert number(export, "vehicle_operation.actual") == pytest.approx(6.40)


@pytest.mark.parametrize(
    "text",
    [
        "公务用车购置及运行维护费支出8.40万元（其中：公务用车购置费0万元；公务用车运行维护费8.40万元）。"
        "比上年减少0.60万元。",
        "公务用车购置及运行维护费支出8.40万元（其中购置费未发生，运行维护费8.40万元）。较上年减少0.60万元。",
    ],
)
def test_the_change_in_the_next_sentence_is_the_wholes(text: str) -> None:
    export = read_txt(text)
    got = get_path(export, "three_public.vehicle.change")
    assert got is not None and got.number == pytest.approx(0.60) and got.direction == "下降"
    assert get_path(export, "three_public.vehicle_operation.change") is None
    assert number(export, "vehicle_purchase.actual") == 0


def test_the_parts_of_a_budget_are_budgets() -> None:
    export = read_txt(
        "“三公”经费预算12.30万元（其中因公出国（境）费0万元、公务接待费3.90万元、公务用车费8.40万元），"
        "实际支出11.00万元。"
    )
    assert number(export, "total.budget") == pytest.approx(12.30)
    assert number(export, "total.actual") == pytest.approx(11.00)
    assert number(export, "reception.budget") == pytest.approx(3.90)
    assert number(export, "vehicle.budget") == pytest.approx(8.40)
    assert number(export, "reception.actual") is None
    assert number(export, "vehicle.actual") is None


def test_the_whole_and_its_parts_nested() -> None:
    export = read_txt(
        "“三公”经费支出12.30万元（其中：因公出国（境）费0万元，公务接待费3.90万元，公务用车购置及运行"
        "维护费8.40万元（其中购置费为零，运行维护费8.40万元）），较上年下降1.10万元。"
    )
    assert number(export, "total.change") == pytest.approx(1.10)
    assert number(export, "vehicle.actual") == pytest.approx(8.40)
    assert number(export, "vehicle_operation.actual") == pytest.approx(8.40)
    assert number(export, "vehicle_purchase.actual") == 0
    for item in ("overseas", "reception", "vehicle", "vehicle_operation"):
        assert number(export, f"{item}.change") is None, item


@pytest.mark.parametrize("read", [read_txt, read_docx])
@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "因公出国（境）费、公务接待费、公务用车运行维护费分别为1.20万元（上年1.35万元）、3.10万元"
            "（上年3.30万元）、4.00万元（上年4.20万元）。",
            {
                "overseas": (1.20, 1.35),
                "reception": (3.10, 3.30),
                "vehicle_operation": (4.00, 4.20),
            },
        ),
        (
            "因公出国（境）费、公务接待费分别为1.20万元（上年1.35万元）、3.10万元。",
            {"overseas": (1.20, 1.35), "reception": (3.10, None)},
        ),
        (
            "公务接待费、公务用车运行维护费分别支出3.10万元(2022年3.30万元)、4.00万元(2022年4.20万元)，"
            "分别下降6.1%、4.8%。",
            {"reception": (3.10, 3.30), "vehicle_operation": (4.00, 4.20)},
        ),
    ],
)
def test_a_figure_restated_in_brackets_in_a_respective_run(
    text: str,
    want: dict[str, tuple[float, float | None]],
    read,  # noqa: ANN001
) -> None:
    export = read(text)
    for item, (actual, previous) in want.items():
        assert number(export, f"{item}.actual") == pytest.approx(actual), item
        got = number(export, f"{item}.previous")
        assert got == (None if previous is None else pytest.approx(previous)), item


def test_a_change_restated_in_the_bracket_is_the_items() -> None:
    export = read_txt(
        "公务接待费、公务用车运行维护费分别为3.10万元（上年3.30万元，下降6.1%）、4.00万元（上年4.20万元）。"
    )
    got = get_path(export, "three_public.reception.change_pct")
    assert got is not None and got.number == pytest.approx(6.1) and got.direction == "下降"
    assert number(export, "vehicle_operation.change_pct") is None


@pytest.mark.parametrize(
    ("text", "item", "actual", "change"),
    [
        ("公务用车购置及运行维护费8.40万元（含上年结转），比上年减少0.60万元。", "vehicle", 8.40, 0.60),
        ("公务接待费3.90万元（占比35%），比上年减少0.60万元。", "reception", 3.90, 0.60),
        ("“三公”经费支出12.30万元（占比35%），比上年减少1.10万元。", "total", 12.30, 1.10),
        # the parts named without figures: nothing for them, the figure after is the whole's
        ("公务用车购置及运行维护费（含购置费和运行维护费）8.40万元，比上年减少0.60万元。", "vehicle", 8.40, 0.60),
    ],
)  # fmt: skip
def test_an_aside_that_is_no_part_gives_nothing(
    text: str, item: str, actual: float, change: float
) -> None:
    export = read_txt(text)
    assert number(export, f"{item}.actual") == pytest.approx(actual)
    assert number(export, f"{item}.change") == pytest.approx(change)
    assert number(export, f"{item}.change_pct") is None  # 35% is a share, not a change
    for part in ("vehicle_purchase", "vehicle_operation", "overseas", "reception", "vehicle"):
        if part != item:
            assert get_path(export, f"three_public.{part}") is None or all(
                number(export, f"{part}.{c}") is None for c in ("actual", "change")
            ), part
