"""Staffing and money in prose: headcounts, income and expenditure, projects, and the
三公 costs with their change against last year.

Families: ``staffing``, ``money_prose``, ``basic_split``, ``projects``,
``three_public_change``, ``three_public_zero``, ``three_public_vehicle``,
``three_public_noise``. Figures come from ``ReportData``; a figure a variant does not
write is not in the truth.
"""

from __future__ import annotations

from service.records import Project, Value
from service.synth.figures import text_value
from service.synth.spec import Paragraph, SpecCell, TableBlock
from service.synth.variety.catalog import register
from service.synth.variety.who import staffing_cells
from service.synth.variety.writer import MoneyFigures, VariedWriter

register(
    "staffing",
    ("sentence", "subquotas", "ge_units", "label_lines", "table", "actual_first", "pairs_table"),
)
register(
    "money_prose",
    (
        "totals",
        "amount_total",
        "this_year",
        "enumerated",
        "budget_final",
        "with_last_year",
        "income_sources",
    ),
)
register("basic_split", ("among", "including", "paren"))
register("projects", ("inline", "numbered", "table", "table_yuan", "absent", "semicolon_list"))
register(
    "three_public_change",
    (
        "change_pct",
        "prev_change_pct",
        "pct_first",
        "prev_first",
        "diff_only",
        "yoy_words",
        "pct_prev_change",
        "prev_pct",
    ),
)
register("three_public_zero", ("digits", "not_incurred", "is_zero", "not_arranged"))
register("three_public_vehicle", ("split", "combined_only", "purchase_words"))
register("three_public_noise", ("none", "meeting_fee", "training_fee", "office_fee"))
PLANT = "prose"  # where a planted wrong figure goes by default


def staffing(w: VariedWriter) -> None:
    d, me = w.d, w.self_name
    form = w.pick("staffing")
    if form == "table":
        w.p(f"{me}人员情况如下表：")
        w.blocks.append(TableBlock(rows=staffing_cells(w), header_rows=1, style=w.table_style))
        return
    if form == "pairs_table":  # label, value, label, value: a 基本概况 form
        cells = [
            ["人员编制", w.count("staffing.authorized", d.authorized, "", 2)],
            ["实有人数", w.count("staffing.actual", d.staff, "", 2)],
            ["退休人数", w.count("staffing.retired", d.retired, "", 2)],
        ]
        rows: list[list[str | SpecCell]] = [[*cells[0], *cells[1]], [*cells[2], "", ""]]
        w.blocks.append(TableBlock(rows=rows, col_widths=[1.2, 1.0, 1.2, 1.0], style=w.table_style))
        return
    if form == "label_lines":
        for label, path, value in (
            ("编制人数", "staffing.authorized", d.authorized),
            ("在职人数", "staffing.actual", d.staff),
            ("退休人数", "staffing.retired", d.retired),
        ):
            w.p(label, indent=False)
            w.p(w.count(path, value, "人"), indent=False)
        return
    a, s, r = d.authorized, d.staff, d.retired
    if form == "sentence":
        text = (
            f"{me}编制数{w.count('staffing.authorized', a, '人')}，实有在职人员"
            f"{w.count('staffing.actual', s, '人')}，退休人员{w.count('staffing.retired', r, '人')}。"
        )
    elif form == "subquotas":
        admin = max(1, a * 2 // 5)
        text = (
            f"{me}核定编制总数{w.count('staffing.authorized', a, '名')}，其中行政编制{admin}名、"
            f"事业编制{a - admin}名；实有在职{w.count('staffing.actual', s, '名')}，"
            f"离退休{w.count('staffing.retired', r, '名')}。"
        )
    elif form == "actual_first":
        text = (
            f"{me}现有在职人员{w.count('staffing.actual', s, '人')}（核定编制"
            f"{w.count('staffing.authorized', a, '人')}），退休{w.count('staffing.retired', r, '人')}。"
        )
    else:  # ge_units
        text = (
            f"{me}现有编制{w.count('staffing.authorized', a, '个')}，在编在岗"
            f"{w.count('staffing.actual', s, '人')}，另有退休职工{w.count('staffing.retired', r, '人')}。"
        )
    w.p(text)


def money_prose(w: VariedWriter, plant_here: bool) -> None:
    """Income and expenditure in one of the ``money_prose`` forms; the planted wrong
    figures go here when ``plant_here`` (a table or a second mention states the truth)."""
    d, L, me = w.d, w.d.lines, w.self_name
    form = w.pick("money_prose")
    m = w.money_at
    income = m("budget.total_income", d.total_income)
    general = m("budget.income_general_budget", d.total_income - d.income_other)
    other = m("budget.income_other", d.income_other) if d.income_other else ""
    total = m("budget.total_expenditure", L["total"].final)
    basic = m("budget.basic_expenditure", L["basic"].final, plant=plant_here)
    project = m("budget.project_expenditure", L["project"].final, plant=plant_here)
    tail_other = f"，其他收入{other}" if other else ""
    year = f"{d.year}年"
    if form == "enumerated":
        w.p(f"1、收入：{income}", indent=False)
        w.p(f"其中：财政拨款收入{general}{tail_other}。", indent=False)
        w.p(f"2、支出：{total}", indent=False)
        w.p(f"其中：基本支出{basic}，项目支出{project}。", indent=False)
    elif form == "income_sources":
        other_part = f"，其他收入{other}" if other else ""
        w.p(f"收入来源：财政拨款{general}{other_part}，合计{income}。", indent=False)
        w.p(f"支出情况：基本支出{basic}，项目支出{project}，合计{total}。", indent=False)
    elif form == "budget_final":
        T = L["total"]
        initial = m("budget.initial_budget", T.initial)
        full = m("budget.full_year_budget", T.budget)
        rate = w.pct("budget.execution_rate", d.execution_rate)
        w.p(f"{year}{me}收入合计{income}，其中财政拨款收入{general}{tail_other}。")
        w.p(
            f"{me}年初预算{initial}，全年调整后预算{full}，实际支出{total}，预算执行率{rate}。"
            f"其中基本支出{basic}，项目支出{project}。"
        )
    else:
        words = {
            "totals": ("收入合计", "支出合计", "其中"),
            "amount_total": ("收入总额", "支出总额", "包括"),
            "this_year": ("本年收入", "全年累计支出", "其中"),
            "with_last_year": ("本年收入", "本年支出", "其中"),
        }[form]
        w.p(f"{year}{me}{words[0]}{income}，{words[2]}财政拨款收入{general}{tail_other}。")
        last = ""
        if form == "with_last_year":
            last = f"（上年支出{w.f.money(L['total'].previous)}）"
        w.p(f"{words[1]}{total}{last}，{words[2]}基本支出{basic}、项目支出{project}。")
    if d.carry_over:
        w.p(f"年末结转结余{m('budget.carry_over', d.carry_over)}。")


def basic_split(w: VariedWriter, plant_here: bool) -> None:
    L = w.d.lines
    personnel = w.money_at("budget.personnel_expenditure", L["personnel"].final, plant=plant_here)
    public = w.money_at("budget.public_expenditure", L["public"].final, plant=plant_here)
    form = w.pick("basic_split")
    w.p(
        {
            "among": f"基本支出中，人员经费{personnel}，公用经费{public}。",
            "including": f"基本支出包括人员经费{personnel}和日常公用经费{public}。",
            "paren": f"基本支出（人员经费{personnel}，公用经费{public}）主要用于保障机构正常运转。",
        }[form]
    )


def projects(w: VariedWriter) -> None:
    d, L = w.d, w.d.lines
    form = w.pick("projects")
    if form == "absent":
        return
    if form == "inline":
        parts = []
        for name in d.projects:
            amount = w.f.money(L[name].final)
            parts.append(f"{name}{amount}")
            w.projects.append(
                Project(name=text_value(name), amount=w.f.money_value(L[name].final, amount))
            )
        listed = "、".join(parts[:-1]) + f"和{parts[-1]}" if len(parts) > 1 else parts[0]
        w.p(f"项目支出主要用于{listed}。")
        return
    if form == "semicolon_list":
        parts = []
        for name in d.projects:
            amount = w.f.money(L[name].final)
            parts.append(f"{name}，支出{amount}")
            w.projects.append(
                Project(name=text_value(name), amount=w.f.money_value(L[name].final, amount))
            )
        w.p("项目支出情况：" + "；".join(parts) + "。")
        return
    if form == "numbered":
        for i, name in enumerate(d.projects, start=1):
            budget, amount = w.f.money(L[name].budget), w.f.money(L[name].final)
            w.p(f"（{i}）{name}：预算{budget}，实际支出{amount}。")
            w.projects.append(
                Project(
                    name=text_value(name),
                    amount=w.f.money_value(L[name].final, amount),
                    budget=w.f.money_value(L[name].budget, budget),
                )
            )
        return
    figures = MoneyFigures("yuan", False) if form == "table_yuan" else w.f
    unit = "元" if form == "table_yuan" else figures.money_unit
    w.p(f"项目支出明细如下（单位：{unit}）：", indent=False)
    rows = [["序号", "项目名称", "预算数", "执行数"]]
    for i, name in enumerate(d.projects, start=1):
        budget, amount = figures.number(L[name].budget), figures.number(L[name].final)
        rows.append([str(i), name, budget, amount])
        w.projects.append(
            Project(
                name=text_value(name),
                amount=figures.money_value(L[name].final, amount),
                budget=figures.money_value(L[name].budget, budget),
            )
        )
    w.blocks.append(
        TableBlock(rows=rows, header_rows=1, col_widths=[0.6, 3.2, 1.4, 1.4], style=w.table_style)
    )


# --- 三公 -----------------------------------------------------------------------------------


_CHANGE_FORMS = {
    # the parts a form writes, in its order: p previous, a amount, r rate
    "change_pct": "比上年{verb}{a}，{trend}{r}",
    "prev_change_pct": "上年为{p}，{verb}{a}，{trend}{r}",
    "pct_first": "同比{trend}{r}，{verb}{a}",
    "prev_first": "较上年（{p}）{verb}{a}",
    "diff_only": "比上年{verb}{a}",
    "yoy_words": "较上年同期{verb}{a}，{trend_word}{r}",
    "pct_prev_change": "{trend}{r}（上年{p}），{verb}{a}",
    "prev_pct": "上年为{p}，同比{trend}{r}",
}


def _change(w: VariedWriter, path: str, now: int, before: int) -> str:
    """The change of ``path`` against last year in a ``three_public_change`` form; only
    the figures the form writes (previous, amount, rate) go into the truth."""
    form = _CHANGE_FORMS[w.pick("three_public_change")]
    diff = now - before
    up = diff > 0
    direction = "增长" if up else "下降"
    parts = {
        "verb": "增加" if up else "减少",
        "trend": "上升" if up else "下降",
        "trend_word": "增幅" if up else "降幅",
    }
    if "{p}" in form:
        parts["p"] = w.money_at(f"{path}.previous", before)
    if "{a}" in form:
        parts["a"] = w.f.money(abs(diff))
        value = w.f.money_value(abs(diff), parts["a"])
        w.t.offer(f"{path}.change", value.model_copy(update={"direction": direction}))
    if "{r}" in form:
        parts["r"] = w.pct(f"{path}.change_pct", diff / before * 100, direction=direction)
    return form.format(**parts)


def _item(w: VariedWriter, label: str, path: str, cents: int, zero_form: str) -> str:
    """One 三公 item; a zero in digits or in words."""
    if cents or zero_form == "digits":
        return f"{label}{w.money_at(path, cents)}"
    raw = {"is_zero": "零", "not_incurred": "未发生", "not_arranged": "未安排"}[zero_form]
    w.t.offer(path, Value(value=0, unit="万元", raw=raw))
    return {
        "is_zero": f"{label}为零",
        "not_incurred": f"未发生{label}",
        "not_arranged": f"未安排{label}",
    }[zero_form]


def three_public(w: VariedWriter, lead: str) -> None:
    three, tp = w.d.three, "three_public"
    total = three["total"]
    change = _change(w, f"{tp}.total", total.final, total.previous)
    noise = {
        "none": "",
        "meeting_fee": f"，同期会议费下降{w.d.seed % 9 + 4}.5%",
        "training_fee": f"，培训费较上年减少{w.f.money(w.d.seed % 5 * 100 + 120)}",
        "office_fee": f"，办公费同比下降{w.d.seed % 7 + 2}.3%",
    }[w.pick("three_public_noise")]
    zero = (
        w.pick("three_public_zero")
        if not (three["overseas"].final and three["vehicle_purchase"].final)
        else "digits"
    )
    parts = [
        _item(w, "因公出国（境）费", f"{tp}.overseas.actual", three["overseas"].final, zero),
        _item(w, "公务接待费", f"{tp}.reception.actual", three["reception"].final, zero),
    ]
    vehicle = w.pick("three_public_vehicle")
    veh = f"公务用车购置及运行维护费{w.money_at(f'{tp}.vehicle.actual', three['vehicle'].final)}"
    purchase, running = three["vehicle_purchase"].final, three["vehicle_operation"].final
    if vehicle == "split":
        veh += (
            f"（其中{_item(w, '公务用车购置费', f'{tp}.vehicle_purchase.actual', purchase, zero)}，"
            f"公务用车运行维护费{w.money_at(f'{tp}.vehicle_operation.actual', running)}）"
        )
    elif vehicle == "purchase_words":
        run = w.money_at(f"{tp}.vehicle_operation.actual", running)
        if purchase:
            veh += f"，其中购置公务用车1辆，支出{w.money_at(f'{tp}.vehicle_purchase.actual', purchase)}，运行维护费{run}"
        else:
            w.t.offer(f"{tp}.vehicle_purchase.actual", Value(value=0, unit="万元", raw="未购置"))
            veh += f"，全部为公务用车运行维护费{run}，本年未购置公务用车"
    parts.append(veh)
    head = f"{lead}“三公”经费支出{w.money_at(f'{tp}.total.actual', total.final)}，{change}{noise}。"
    w.p(head + "其中：" + "；".join(parts) + "。")


def summary(w: VariedWriter, plant_here: bool) -> None:
    """A second statement of the expenditure (in the conclusion), where a planted wrong
    figure goes when ``plant_here``."""
    L = w.d.lines
    m = w.money_at
    w.p(
        f"综上，{w.d.year}年{w.self_name}支出合计{m('budget.total_expenditure', L['total'].final)}，其中基本支出"
        f"{m('budget.basic_expenditure', L['basic'].final, plant=plant_here)}（含人员经费"
        f"{m('budget.personnel_expenditure', L['personnel'].final, plant=plant_here)}），项目支出"
        f"{m('budget.project_expenditure', L['project'].final, plant=plant_here)}，资金使用总体规范。"
    )


def table_paragraph(text: str) -> Paragraph:
    return Paragraph(text=text, align="center", bold=True, indent=False)
