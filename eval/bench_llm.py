"""Calls and tokens per seed report through the LLM extractor, against the scripted server.

    .venv/bin/python -m eval.bench_llm [--mode tools|json_schema|json|md_json|all] [--json OUT]

Runs both seed reports through ``extract(..., extractor='llm')`` with the real openai client
and instructor talking to the scripted OpenAI-compatible server of the tests
(tests/llm_server.py), which answers every task from the hand-checked seed answers
(tests/extract/data/llm_answers_*.json). It reports, per seed and instructor mode: calls,
prompt and completion tokens (prompts, glossary, examples and schemas included), the calls
per task, the wall time, and a second run's calls (the cache). Target: ≤ 10 calls and
≤ 40k tokens per seed report.

Token counts are the server's estimate — one token per CJK character, one per 3.5 other
characters — an upper bound for Chinese-capable tokenizers (Qwen, DeepSeek and GPT-4o
spend fewer on Chinese). Nothing here reaches a network beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SEEDS = {"000": "000_de21ebe0f04bc952.txt", "002": "002_8a698bcfafd5a356.txt"}
MODES = ("tools", "json_schema", "json", "md_json")
TARGET_CALLS, TARGET_TOKENS = 10, 40_000


def _seeds_dir() -> Path:
    sys.path.insert(0, str(REPO))
    from tests.conftest import seeds_dir

    return seeds_dir()


def bench(mode: str, seeds: Path) -> list[dict[str, Any]]:
    from service.config import LLMSettings
    from service.extract.pipeline import ExtractOptions, extract
    from service.ingest import read_path
    from tests.llm_server import ScriptedLLM, oracle

    rows = []
    with ScriptedLLM() as server, tempfile.TemporaryDirectory() as tmp:
        for key, name in SEEDS.items():
            answers = json.loads(
                (REPO / "tests/extract/data" / f"llm_answers_{key}.json").read_text("utf-8")
            )
            server.reset()
            server.fallback = oracle(answers)
            doc = read_path(seeds / name)
            settings = LLMSettings(
                base_url=server.base_url, model="bench", mode=mode,  # type: ignore[arg-type]
                cache_dir=Path(tmp) / f"{mode}-{key}",
            )  # fmt: skip
            options = ExtractOptions(extractor="llm", llm=settings)
            started = time.perf_counter()
            first = extract(doc, options)
            wall = time.perf_counter() - started
            second = extract(doc, options)
            usage, again = first.llm_usage, second.llm_usage
            assert usage is not None and again is not None
            per_task: dict[str, int] = {}
            for record in usage.records:
                per_task[record.task] = per_task.get(record.task, 0) + record.requests
            rows.append(
                {
                    "seed": key,
                    "mode": mode,
                    "status": first.status,
                    "calls": usage.calls,
                    "prompt_tokens": usage.prompt_tokens,
                    "completion_tokens": usage.completion_tokens,
                    "total_tokens": usage.total_tokens,
                    "calls_per_task": per_task,
                    "wall_s": round(wall, 2),
                    "rerun_calls": again.calls,
                    "rerun_cache_hits": again.cache_hits,
                    "within_target": usage.calls <= TARGET_CALLS
                    and usage.total_tokens <= TARGET_TOKENS,
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=[*MODES, "all"], default="all")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    seeds = _seeds_dir()
    rows = [row for mode in (MODES if args.mode == "all" else (args.mode,))
            for row in bench(mode, seeds)]  # fmt: skip
    print(f"{'seed':5} {'mode':12} {'calls':>5} {'prompt':>7} {'compl.':>7} {'total':>7} "
          f"{'wall s':>6} {'rerun':>5}  target")  # fmt: skip
    for r in rows:
        print(
            f"{r['seed']:5} {r['mode']:12} {r['calls']:>5} {r['prompt_tokens']:>7} "
            f"{r['completion_tokens']:>7} {r['total_tokens']:>7} {r['wall_s']:>6} "
            f"{r['rerun_calls']:>5}  {'ok' if r['within_target'] else 'OVER'}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if all(r["within_target"] and r["status"] == "success" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
