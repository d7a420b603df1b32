"""Benchmark of the HTTP service on loopback: uploads, GET latency under load, throughput.

Starts ``jixiao serve`` on 127.0.0.1 (a fresh data folder, SQLite unless --database-url),
then, per run:

* ``--clients`` concurrent clients upload ``--count`` distinct generated reports (synthetic
  text-layer PDFs and plain-text renderings from ``service.synth``): accepted uploads/s and
  errors (anything but 202);
* readers time ``GET /documents/{id}`` and ``GET /documents?limit=20`` throughout: p50/p95
  while the jobs run (after the uploads), and separately during the upload burst;
* end to end, documents/minute with the rules extractor: from the first upload until every
  document is done (or failed);
* peak resident memory of the server with its worker processes (sampled), and of the API
  process alone (VmHWM).

Runs are repeated (``--runs``) on fresh servers and the medians reported, as JSON on stdout
and a table on stderr. Everything is bounded by ``--count`` and ``--timeout``.

    python eval/bench_api.py --count 100 --clients 50 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ADMIN_KEY = "jx_bench-admin-key-not-for-production-0123456789"
REPO = Path(__file__).resolve().parents[1]


@dataclass
class RunResult:
    documents: int
    clients: int
    upload_errors: int
    uploads_per_s: float
    upload_p50_ms: float
    upload_p95_ms: float
    get_samples: int  # GETs timed while the jobs ran (after the uploads)
    get_p50_ms: float
    get_p95_ms: float
    get_during_uploads_p50_ms: float  # GETs timed during the upload burst
    get_during_uploads_p95_ms: float
    get_errors: int
    processed: int
    failed: int
    docs_per_minute: float
    peak_rss_mb: float  # the server and its worker processes together
    api_peak_rss_mb: float  # the API process alone
    notes: list[str] = field(default_factory=list)


def make_documents(count: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """``count`` distinct reports: every second one a PDF, the others plain text."""
    from service.synth import make_report, render

    docs = []
    for i in range(count):
        report = make_report(seed + i, template=("hunan", "sichuan", "prose_only")[i % 3])
        fmt = "pdf" if i % 2 == 0 else "txt"
        docs.append((f"{report.name}.{fmt}", render(report.spec, fmt)[0]))
    return docs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int, database_url: str | None) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "JIXIAO_DATA_DIR": str(data_dir),
        "JIXIAO_AUTH__BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "JIXIAO_WORKERS__EXTRACTOR": "rules",
        "JIXIAO_WORKERS__POLL_SECONDS": "0.5",
    }
    if database_url:
        env["JIXIAO_DATABASE_URL"] = database_url
    for key in ("JIXIAO_LLM_BASE_URL", "JIXIAO_LLM_MODEL"):
        env.pop(key, None)
    cmd = [
        sys.executable,
        "-m",
        "service.cli",
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(
        cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the server exited at start")
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not become ready in 60 s")


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


class MemorySampler:
    """Peak resident memory of the server and its worker processes, sampled together."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every = pid, every
        self.peak_total_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            pids = [self.pid, *_descendants(self.pid)]
            total = sum(_status_kb(p, "VmRSS") for p in pids)
            self.peak_total_kb = max(self.peak_total_kb, total)

    @property
    def api_peak_mb(self) -> float:
        return _status_kb(self.pid, "VmHWM") / 1024


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _upload_all(
    client: httpx.AsyncClient, docs: list[tuple[str, bytes]], clients: int
) -> tuple[list[str], list[float], int, float]:
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for doc in docs:
        queue.put_nowait(doc)
    ids: list[str] = []
    latencies: list[float] = []
    errors = 0

    async def uploader() -> None:
        nonlocal errors
        while not queue.empty():
            name, data = queue.get_nowait()
            t0 = time.perf_counter()
            try:
                r = await client.post("/documents", files={"files": (name, data)})
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append((time.perf_counter() - t0) * 1000)
            if r.status_code == 202:
                ids.append(r.json()["documents"][0]["id"])
            else:
                errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(uploader() for _ in range(clients)))
    return ids, latencies, errors, time.perf_counter() - t0


async def _read_while(
    client: httpx.AsyncClient,
    ids: list[str],
    stop: asyncio.Event,
    phase: list[str],
    samples: dict[str, list[float]],
    errors: list[int],
) -> None:
    """GET a document's status (or the list) every 50 ms; latencies by phase."""
    rng = random.Random(len(samples))
    while not stop.is_set():
        detail = ids and rng.random() < 0.7
        url = f"/documents/{rng.choice(ids)}" if detail else "/documents"
        t0 = time.perf_counter()
        try:
            r = await client.get(url, params=None if detail else {"limit": 20})
            ok = r.status_code == 200
        except httpx.HTTPError:
            ok = False
        samples.setdefault(phase[0], []).append((time.perf_counter() - t0) * 1000)
        if not ok:
            errors.append(1)
        await asyncio.sleep(0.05)


async def _wait_processed(client: httpx.AsyncClient, total: int, timeout: float) -> tuple[int, int]:
    deadline = time.monotonic() + timeout
    done = failed = 0
    while time.monotonic() < deadline:
        done = (await client.get("/documents", params={"status": "done", "limit": 1})).json()[
            "total"
        ]
        failed = (await client.get("/documents", params={"status": "failed", "limit": 1})).json()[
            "total"
        ]
        if done + failed >= total:
            break
        await asyncio.sleep(0.25)
    return done, failed


async def bench_once(
    base_url: str, docs: list[tuple[str, bytes]], clients: int, readers: int, timeout: float
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=clients + readers + 2)
    headers = {"X-API-Key": ADMIN_KEY}
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=60, limits=limits
    ) as client:
        samples: dict[str, list[float]] = {}
        get_errors: list[int] = []
        stop = asyncio.Event()
        ids: list[str] = []
        phase = ["uploading"]
        t0 = time.perf_counter()
        reader_tasks = [
            asyncio.create_task(_read_while(client, ids, stop, phase, samples, get_errors))
            for _ in range(readers)
        ]
        uploaded, up_lat, up_errors, up_seconds = await _upload_all(client, docs, clients)
        ids.extend(uploaded)
        phase[0] = "processing"
        done, failed = await _wait_processed(client, len(uploaded), timeout)
        elapsed = time.perf_counter() - t0
        stop.set()
        await asyncio.gather(*reader_tasks)
    during_uploads = samples.get("uploading", [])
    processing = samples.get("processing", [])
    return {
        "documents": len(docs),
        "clients": clients,
        "upload_errors": up_errors,
        "uploads_per_s": len(uploaded) / up_seconds if up_seconds else float("nan"),
        "upload_p50_ms": _pct(up_lat, 0.5),
        "upload_p95_ms": _pct(up_lat, 0.95),
        "get_samples": len(processing),
        "get_p50_ms": _pct(processing, 0.5),
        "get_p95_ms": _pct(processing, 0.95),
        "get_during_uploads_p50_ms": _pct(during_uploads, 0.5),
        "get_during_uploads_p95_ms": _pct(during_uploads, 0.95),
        "get_errors": len(get_errors),
        "processed": done,
        "failed": failed,
        "docs_per_minute": (done + failed) / elapsed * 60 if elapsed else float("nan"),
    }


def run(args: argparse.Namespace) -> list[RunResult]:
    print(f"generating {args.count} documents …", file=sys.stderr)
    docs = make_documents(args.count)
    results = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
            port = _free_port()
            proc = start_server(Path(tmp), port, args.database_url)
            try:
                with MemorySampler(proc.pid) as memory:
                    figures = asyncio.run(
                        bench_once(
                            f"http://127.0.0.1:{port}",
                            docs,
                            args.clients,
                            args.readers,
                            args.timeout,
                        )
                    )
                figures["peak_rss_mb"] = memory.peak_total_kb / 1024
                figures["api_peak_rss_mb"] = memory.api_peak_mb
            finally:
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
            result = RunResult(**figures)
            results.append(result)
            print(f"run {i + 1}: {json.dumps(asdict(result))}", file=sys.stderr)
    return results


def summarise(results: list[RunResult]) -> dict[str, Any]:
    keys = [k for k, v in asdict(results[0]).items() if isinstance(v, int | float)]
    return {k: statistics.median(getattr(r, k) for r in results) for k in keys} | {
        "runs": len(results),
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100, help="documents per run")
    parser.add_argument("--clients", type=int, default=50, help="concurrent uploaders")
    parser.add_argument("--readers", type=int, default=4, help="concurrent GET clients")
    parser.add_argument("--runs", type=int, default=3, help="repeat; medians are reported")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait per run")
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database instead of SQLite (runs=1)"
    )
    args = parser.parse_args(argv)
    results = run(args)
    summary = summarise(results)
    print(json.dumps(summary, indent=2))
    ok = summary["upload_errors"] == 0 and summary["get_errors"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
