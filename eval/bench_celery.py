"""Throughput of the Celery engine with 1, 2… worker processes on a small mixed batch.

Each run: a fresh SQLite database and shared storage folder, the batch stored as uploads
are (``intake``), ``--workers`` ``jixiao worker`` processes (one job at a time each, reading
in their own process pool, each with a scratch data folder of its own and only the storage
in common) on a Redis server of the benchmark's own (started on a free loopback port and
stopped at the end; the machine's Redis is left alone) or ``--broker``; one warm-up scan per
worker (the OCR engine loads once per process), then the whole batch is sent and timed until
every job is over. Prints documents per minute, pages per second and each count's speed-up
over one worker, with ``uptime`` before each run (the load average says how far the figures
can be trusted on a shared machine).

With ``--big-scan N``: one scanned report of N pages instead of the batch, read on one
worker in one task (as without splitting) and then split in page tasks across
``--workers`` worker processes; prints each wall time and the ratio.

Usage: python eval/bench_celery.py [--workers 1,2] [--text 6 --docx 4 --scans 2
       --scan-pages 2] [--big-scan 60 [--split-pages 4]] [--broker redis://host:6379/3]
       [--json eval/out/bench_celery.json]
Needs the `scale` extra and redis-server (or a broker given with --broker).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import select  # noqa: E402

from eval.throwaway import start_worker, stop_groups  # noqa: E402
from service.config import Settings  # noqa: E402
from service.jobs.celery_app import make_celery, worker_context  # noqa: E402
from service.jobs.intake import accept_upload, check_upload  # noqa: E402
from service.jobs.reconcile import send_new  # noqa: E402
from service.store.engine import read_session  # noqa: E402
from service.store.tables import Job, StoredDocument  # noqa: E402
from service.synth import RenderOptions, make_report, render  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def batch(text: int, docx: int, scans: int, scan_pages: int) -> list[tuple[str, bytes]]:
    templates = ("hunan", "sichuan", "prose_only")
    files = []
    for i in range(text):
        spec = make_report(100 + i, templates[i % 3]).spec
        files.append((f"text-{i}.pdf", render(spec, "pdf")[0]))
    for i in range(docx):
        spec = make_report(200 + i, templates[i % 3]).spec
        files.append((f"word-{i}.docx", render(spec, "docx")[0]))
    pages = RenderOptions(pages=tuple(range(1, scan_pages + 1)))
    for i in range(scans):
        spec = make_report(300 + i, "hunan").spec
        files.append((f"scan-{i}.pdf", render(spec, "scan", seed=300 + i, options=pages)[0]))
    return files


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    """A Redis server of this run's own on a free loopback port, without persistence."""
    program = shutil.which("redis-server")
    if program is None:
        raise SystemExit("redis-server is not installed; give a broker with --broker")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-redis-") as folder:
        args = [program, "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        args += ["--appendonly", "no", "--dir", folder]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            _wait_listening(port, proc)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _wait_listening(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"redis-server did not start on port {port}")


def workers_cpu_seconds(sessions: set[int]) -> float:
    """CPU seconds (user + system) of every process in the workers' sessions, including
    their children already reaped (a worker's process pool), read from /proc."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # the process ended meanwhile
            continue
        if int(fields[3]) in sessions:  # field 6, the session id
            ticks += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def uptime() -> str:
    """``uptime``'s line (load averages over 1, 5 and 15 minutes)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


@contextlib.contextmanager
def broker_for(url: str | None) -> Iterator[str]:
    """``url`` as given (runs keep apart by their queue prefix), or a private Redis."""
    if url:
        yield url
        return
    with private_redis() as own:
        yield own


def big_scan(pages: int) -> bytes:
    """A scan of ``pages`` pages: scanned reports one after the other, cut at ``pages``."""
    import pymupdf

    out = pymupdf.open()
    seed = 400
    while out.page_count < pages:
        data = render(make_report(seed, "hunan").spec, "scan", seed=seed)[0]
        with pymupdf.open(stream=data, filetype="pdf") as part:
            out.insert_pdf(part, to_page=min(part.page_count, pages - out.page_count) - 1)
        seed += 1
    data = out.tobytes(garbage=3, deflate=True)
    out.close()
    return data


def run(
    workers: int,
    files: list[tuple[str, bytes]],
    warmup: bytes,
    broker: str,
    split_pages: int = 0,
) -> dict:
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-celery-") as tmp:
        root = Path(tmp)
        shared = root / "files"
        settings = Settings(
            data_dir=root / "api",
            database_url=f"sqlite:///{root / 'jixiao.db'}",
            storage={"path": shared},
            queue={"broker_url": broker, "prefix": f"bench{uuid.uuid4().hex[:8]}-"},
        )
        ctx = worker_context(settings)
        app = make_celery(settings)
        procs = [_start_worker(settings, root / f"worker{n}", split_pages) for n in range(workers)]
        try:
            for n in range(workers):  # one warm-up scan each: the OCR engine loaded
                _upload(ctx, f"warm-{n}.pdf", warmup + f"%{n}\n".encode())
            send_new(ctx, app)
            _wait_all_over(ctx, timeout=600)
            ids = [_upload(ctx, name, data) for name, data in files]
            load, before = os.getloadavg()[0], uptime()
            sessions = {proc.pid for proc in procs}
            cpu0, t0 = workers_cpu_seconds(sessions), time.perf_counter()
            send_new(ctx, app)
            _wait_all_over(ctx, timeout=1800)
            seconds = time.perf_counter() - t0
            cpu = workers_cpu_seconds(sessions) - cpu0
            with read_session(ctx.engine) as session:
                docs = [session.get(StoredDocument, i) for i in ids]
                statuses = [d.status for d in docs if d is not None]
                pages = sum((d.page_count or 0) for d in docs if d is not None)
        finally:
            stop_groups(procs)
            ctx.engine.dispose()
    return {
        "workers": workers,
        "split_pages": split_pages,
        "documents": len(ids),
        "pages": pages,
        "done": statuses.count("done"),
        "seconds": round(seconds, 2),
        "documents_per_min": round(len(ids) / seconds * 60, 1),
        "pages_per_s": round(pages / seconds, 2),
        # CPU the workers used: steadier than wall time on a shared machine, and cpu / seconds
        # says how many cores they actually got
        "worker_cpu_s": round(cpu, 1),
        "cpu_s_per_document": round(cpu / len(ids), 2),
        "cores_used": round(cpu / seconds, 2),
        "load_before": round(load, 1),
        "load_after": round(os.getloadavg()[0], 1),
        "uptime_before": before,
    }


def _upload(ctx, name: str, data: bytes) -> str:
    checked = check_upload(data, name, ctx.settings.limits)
    accepted = accept_upload(ctx.engine, ctx.files, data, checked, filename=name, uploaded_by=None)
    return accepted.document.id


def _wait_all_over(ctx, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with read_session(ctx.engine) as session:
            pending = session.exec(
                select(Job.id).where(Job.status.in_(("queued", "processing")))  # type: ignore[attr-defined]
            ).first()
        if pending is None:
            return
        time.sleep(0.2)
    raise SystemExit(f"jobs not over after {timeout:.0f} s")


def _start_worker(settings: Settings, scratch: Path, split_pages: int) -> subprocess.Popen:
    return start_worker(
        settings, scratch, {"JIXIAO_QUEUE__SPLIT_PAGES": str(split_pages)}, cwd=REPO
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2,4")
    parser.add_argument("--text", type=int, default=6, help="text PDFs in the batch")
    parser.add_argument("--docx", type=int, default=4, help="DOCX reports in the batch")
    parser.add_argument("--scans", type=int, default=2, help="scanned PDFs in the batch")
    parser.add_argument("--scan-pages", type=int, default=2, help="pages of each scan")
    parser.add_argument("--big-scan", type=int, default=0, help="one scan of this many pages")
    parser.add_argument("--split-pages", type=int, default=4, help="pages per page task")
    parser.add_argument("--broker", help="a broker URL (default: a Redis server of our own)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores; {uptime()}", flush=True)
    if args.big_scan:
        return main_big_scan(args)
    files = batch(args.text, args.docx, args.scans, args.scan_pages)
    one_page = RenderOptions(pages=(1,))
    warmup = render(make_report(999, "hunan").spec, "scan", seed=999, options=one_page)[0]
    print(
        f"batch: {args.text} text PDFs, {args.docx} DOCX, {args.scans} scans of "
        f"{args.scan_pages} pages",
        flush=True,
    )
    results = []
    with broker_for(args.broker) as broker:
        for count in (int(n) for n in args.workers.split(",")):
            result = run(count, files, warmup, broker)
            results.append(result)
            print(
                f"{count} worker(s): {result['documents']} documents ({result['pages']} pages) "
                f"in {result['seconds']} s: {result['documents_per_min']} documents/min, "
                f"{result['pages_per_s']} pages/s; CPU {result['cpu_s_per_document']} s a "
                f"document, {result['cores_used']} cores used (done {result['done']}; load "
                f"{result['load_before']} → {result['load_after']}; at the start: "
                f"{result['uptime_before']})",
                flush=True,
            )
    first = results[0]
    for r in results[1:]:
        speedup = first["seconds"] / r["seconds"]
        print(
            f"speed-up with {r['workers']} over {first['workers']}: {speedup:.2f}× "
            f"({speedup / (r['workers'] / first['workers']):.0%} of linear)"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"cores": os.cpu_count(), "runs": results}, indent=2))
    return 0


def main_big_scan(args: argparse.Namespace) -> int:
    """One task on one worker, then page tasks across the largest ``--workers`` count."""
    files = [("big-scan.pdf", big_scan(args.big_scan))]
    warmup = render(
        make_report(999, "hunan").spec, "scan", seed=999, options=RenderOptions(pages=(1,))
    )[0]
    split_workers = max(int(n) for n in args.workers.split(","))
    with broker_for(args.broker) as broker:
        one = run(1, files, warmup, broker, split_pages=0)
        split = run(split_workers, files, warmup, broker, split_pages=args.split_pages)
    for label, r in (("one task, 1 worker", one), (f"split, {split_workers} workers", split)):
        print(
            f"{args.big_scan}-page scan, {label}: {r['seconds']} s ({r['pages_per_s']} pages/s, "
            f"done {r['done']}; load {r['load_before']} → {r['load_after']})",
            flush=True,
        )
    print(f"split / one task: {split['seconds'] / one['seconds']:.2f}×")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        runs = {"cores": os.cpu_count(), "pages": args.big_scan, "runs": [one, split]}
        args.json.write_text(json.dumps(runs, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
