"""No internal names in the Chinese UI: a 基础数据表 finding names its column as people do
(上年决算数, not previous_final), the places a value is also stated read '第 2 页（规则）'
(not 'p2 rules'), the evaluation set's id stays in a tooltip; and the evaluation page's
charts span their data, with runs over part of the set kept out of the cards and trends."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from service.config import Settings
from service.extract.checks import run_checks
from service.records import ExtractorInfo, ReportExport, Value
from service.records.models import BudgetLine
from service.store.engine import make_engine, transaction
from service.store.tables import EvalRun
from service.ui.evalruns import load_eval, y_range
from service.ui.worklist import also_place
from tests.ui.conftest import login


def money(text: str) -> Value:
    return Value(value=float(text), unit="万元", raw=text, precision=0.01)


def test_a_basic_data_table_finding_names_its_column_in_words() -> None:
    export = ReportExport(extractor=ExtractorInfo(name="rules", version="t"))
    rows = {"支出总额": ("896.69", "900.00"), "基本支出": ("600.00", "600.00")}
    rows["项目支出"] = ("296.26", "300.00")
    export.budget.lines = [
        BudgetLine(item=Value(value=k, raw=k), previous_final=money(a), final=money(b))
        for k, (a, b) in rows.items()
    ]
    messages = [(f.message_zh, f.message_en) for f in run_checks(export)]
    assert any(zh.startswith("基础数据表（上年决算数）：支出总额") for zh, _ in messages), messages
    assert all("previous_final" not in zh and "previous_final" not in en for zh, en in messages)
    # the column that adds up raises nothing
    assert not any("本年决算数" in zh for zh, _ in messages)


def test_other_places_of_a_value_are_named_in_words() -> None:
    assert also_place({"page": 2, "extractor": "rules"}, "zh") == "第 2 页（规则）"
    assert also_place({"page": 7, "extractor": "llm"}, "zh") == "第 7 页（大模型）"
    assert also_place({"page": 2, "extractor": "rules"}, "en") == "p. 2 (rules)"
    assert also_place({"page": 3}, "zh") == "第 3 页"
    assert also_place({"page": 3, "extractor": "odd-internal"}, "zh") == "第 3 页"


def test_y_axis_spans_the_data_in_whole_steps() -> None:
    assert y_range([0.86, 0.92]) == (0.85, 0.95)
    assert y_range([0.999, 1.0]) == (0.95, 1.0)
    assert y_range([0.9]) == (0.85, 0.95)  # a point on a step gets a step of room
    assert y_range([0.01]) == (0.0, 0.05)
    assert y_range([]) == (0.0, 1.0)


def _runs(settings: Settings) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    runs = [(30, 0.88, ["pdf", "txt"]), (30, 0.905, ["pdf", "txt"]), (5, 0.40, ["txt"])]
    engine = make_engine(settings.resolved_database_url)
    with transaction(engine) as session:
        for day, (n, f1, formats) in enumerate(runs):
            session.add(
                EvalRun(
                    created_at=start + timedelta(days=day),
                    extractor="rules",
                    dataset="jixiao-eval",
                    n_documents=n,
                    metrics={
                        "set_fingerprint": "abc123",
                        "summary": {"overall": {"f1": f1}},
                        "by_format": {f: {} for f in formats},
                    },
                )
            )
    engine.dispose()


def test_partial_runs_stay_out_of_the_cards_and_the_trend(
    client: TestClient, keys: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    _runs(settings)
    engine = make_engine(settings.resolved_database_url)
    with transaction(engine) as session:
        model = load_eval(session, None)
    engine.dispose()
    assert [r.overall for r in model.latest] == [0.905]  # the full run, not the partial one
    assert model.previous["rules"].overall == 0.88
    assert [r.partial for r in model.runs] == [True, False, False]  # newest first
    svg = str(model.charts[0].svg)
    assert svg.count("<circle") == 2
    ticks = re.findall(r'class="tick"[^>]*text-anchor="end">([\d.]+)<', svg)
    assert ticks == ["85", "90", "95"]  # 85–95 %, not 0–100
    login(client, keys["reviewer"])
    page = client.get("/ui/eval").text
    assert "部分" in page and "只评了部分文档（txt）" in page
    assert ">规则<" in page and ">rules<" not in page
