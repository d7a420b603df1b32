"""One big scan on one Celery worker in one task, against split in page tasks across two.

Each run: a fresh SQLite database and shared storage folder, ``jixiao worker`` processes
(one job at a time each, a scratch data folder of their own) on a Redis server of the
benchmark's own (``bench_celery.private_redis``), one warm-up scan per worker (the OCR
engine loaded), then the scan is sent and timed until its job is over. The runs alternate
(one task, split, one task, split…) so that a change in the machine's load falls on both.

Measured per run: wall seconds; CPU seconds of the workers themselves (Celery, leases,
polling) and of their job processes (reading, OCR, extraction), from /proc, which depend
far less than wall seconds on how many others share the machine (though OCR threads that
wait for each other spin longer on a busy one); and for the split, the tail: wall and CPU
seconds from the moment the last page had its result (the job row's pages_done) to the end
(the join, the extraction, storing), the serial part. Printed with ``uptime`` before each
run, then the medians and the ratios.

Threads: the one-task worker leaves the OCR engine's threads to the worker (every core for
one job process); each split worker gets cores ÷ workers (``--split-threads``), as an
operator running several workers on one host sets ``JIXIAO_OCR__THREADS``.

With ``--engine-threads 1,2``: instead, how much a second OCR thread speeds one page up,
corrected for the machine's load from the threads' own scheduler counts (``engine_threads``).

Usage: python eval/bench_split.py [--pages 60] [--repeats 3] [--workers 2]
       [--split-pages 4] [--split-threads N] [--one-threads N]
       [--json eval/out/bench_split.json]
       python eval/bench_split.py --engine-threads 1,2 [--engine-pages 3]
Needs the `scale` extra and redis-server.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_celery import big_scan, private_redis, uptime  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from eval.throwaway import start_worker, stop_groups  # noqa: E402
from service.config import Settings  # noqa: E402
from service.jobs.celery_app import make_celery, worker_context  # noqa: E402
from service.jobs.intake import accept_upload, check_upload  # noqa: E402
from service.jobs.reconcile import send_new  # noqa: E402
from service.store.engine import read_session  # noqa: E402
from service.store.tables import Job  # noqa: E402
from service.synth import RenderOptions, make_report, render  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> tuple[float, float]:
    """CPU seconds (user + system) of ``root`` itself (a worker: Celery, leases, polling)
    and of every process below it now alive (its job processes: reading, OCR, extraction),
    each with the children it has already reaped."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = sum(int(x) for x in fields[11:15]) / _TICK  # utime stime cutime cstime
    tree, grew = {root}, True
    while grew:
        below = {pid for pid, parent in parents.items() if parent in tree} - tree
        grew = bool(below)
        tree |= below
    return times.get(root, 0.0), sum(times.get(pid, 0.0) for pid in tree - {root})


def _cpu(procs: list[subprocess.Popen]) -> tuple[float, float]:
    """(workers' own, their job processes') CPU seconds, summed over the workers."""
    pairs = [tree_cpu(p.pid) for p in procs]
    return sum(a for a, _ in pairs), sum(b for _, b in pairs)


def run(scan: bytes, warmup: bytes, broker: str, workers: int, split: int, threads: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-split-") as tmp:
        root = Path(tmp)
        settings = Settings(
            data_dir=root / "api",
            database_url=f"sqlite:///{root / 'jixiao.db'}",
            storage={"path": root / "files"},
            queue={"broker_url": broker, "prefix": f"split{uuid.uuid4().hex[:8]}-"},
        )
        ctx = worker_context(settings)
        app = make_celery(settings)
        procs = [_start_worker(settings, root / f"w{n}", split, threads) for n in range(workers)]
        try:
            for n in range(workers):  # the OCR engine loaded in each worker's job process
                _upload(ctx, f"warm-{n}.pdf", warmup + f"%{n}\n".encode())
            send_new(ctx, app)
            _wait(ctx, lambda job: job is None, 600)
            job_id = _upload(ctx, "big-scan.pdf", scan)
            line, load = uptime(), os.getloadavg()[0]
            cpu0 = _cpu(procs)
            t0 = time.perf_counter()
            send_new(ctx, app)
            tail = None
            if split:  # the moment the last page has its result
                _wait(ctx, lambda job: job is None or _all_pages(job), 3600)
                tail = (time.perf_counter(), sum(_cpu(procs)))
            _wait(ctx, lambda job: job is None, 3600)
            seconds = time.perf_counter() - t0
            cpu1 = _cpu(procs)
            workers_cpu, jobs_cpu = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
            cpu = workers_cpu + jobs_cpu
            with read_session(ctx.engine) as session:
                job = session.get(Job, job_id)
                status = str(job.status) if job else "gone"
        finally:
            stop_groups(procs)
            ctx.engine.dispose()
    result = {
        "workers": workers,
        "split_pages": split,
        "ocr_threads": threads or "auto",
        "status": status,
        "wall_s": round(seconds, 1),
        "cpu_s": round(cpu, 1),
        "job_processes_cpu_s": round(jobs_cpu, 1),
        "workers_own_cpu_s": round(workers_cpu, 1),
        "load_before": round(load, 1),
        "load_after": round(os.getloadavg()[0], 1),
        "uptime_before": line,
    }
    if tail is not None:
        result["tail_wall_s"] = round(t0 + seconds - tail[0], 1)
        result["tail_cpu_s"] = round(sum(cpu1) - tail[1], 1)
    return result


def _all_pages(job: Job) -> bool:
    return bool(job.pages_total) and job.pages_done == job.pages_total


def _upload(ctx, name: str, data: bytes) -> int:
    checked = check_upload(data, name, ctx.settings.limits)
    accepted = accept_upload(ctx.engine, ctx.files, data, checked, filename=name, uploaded_by=None)
    return accepted.job.id


def _wait(ctx, over, timeout: float) -> None:
    """Until ``over(the job not yet over, or None)``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with read_session(ctx.engine) as session:
            jobs = session.exec(
                select(Job).where(col(Job.status).in_(("queued", "processing")))
            ).all()
        if over(jobs[0] if jobs else None):
            return
        time.sleep(0.2)
    raise SystemExit(f"not over after {timeout:.0f} s")


def _start_worker(settings: Settings, scratch: Path, split: int, threads: int) -> subprocess.Popen:
    extra = {
        "JIXIAO_QUEUE__SPLIT_PAGES": str(split),
        "JIXIAO_OCR__THREADS": str(threads),
        # an hour: on a contended machine a 60-page scan in one task runs past the default
        # 900 s and would be stopped (job_timeout) instead of measured
        "JIXIAO_WORKERS__JOB_TIMEOUT_SECONDS": "3600",
    }
    return start_worker(settings, scratch, extra, cwd=REPO)


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60, help="pages of the scan")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each kind")
    parser.add_argument("--workers", type=int, default=2, help="workers the split runs on")
    parser.add_argument("--split-pages", type=int, default=4, help="pages per page task")
    parser.add_argument("--split-threads", type=int, help="OCR threads per split worker")
    parser.add_argument(
        "--one-threads", type=int, default=0, help="OCR threads of the one-task worker (0: auto)"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--engine-threads", help="instead: OCR pages in one process with these thread counts"
    )
    parser.add_argument("--engine-pages", type=int, default=3)
    parser.add_argument("--engine-run", type=int, help=argparse.SUPPRESS)  # one such process
    args = parser.parse_args(argv)
    if args.engine_run:
        print(json.dumps(engine_threads(args.engine_pages, args.engine_run)))
        return 0
    if args.engine_threads:
        return main_engine_threads(args)
    cores = len(os.sched_getaffinity(0))
    threads = args.split_threads or max(1, cores // args.workers)
    scan = big_scan(args.pages)
    one_page = RenderOptions(pages=(1,))
    warmup = render(make_report(999, "hunan").spec, "scan", seed=999, options=one_page)[0]
    ones: list[dict] = []
    splits: list[dict] = []
    with private_redis() as broker:
        for _ in range(args.repeats):
            kinds = ((1, 0, args.one_threads), (args.workers, args.split_pages, threads))
            for workers, split, n in kinds:
                r = run(scan, warmup, broker, workers, split, n)
                (splits if split else ones).append(r)
                kind = f"split {split}, {workers} workers" if split else "one task, 1 worker"
                tail = f", tail {r['tail_wall_s']} s / {r['tail_cpu_s']} CPU-s" if split else ""
                print(
                    f"{args.pages} pages, {kind} (OCR threads {r['ocr_threads']}): "
                    f"{r['wall_s']} s wall, {r['cpu_s']} CPU-s (job processes "
                    f"{r['job_processes_cpu_s']}, workers {r['workers_own_cpu_s']}){tail}, "
                    f"{r['status']}; "
                    f"{r['uptime_before']}",
                    flush=True,
                )
    wall = _median(splits, "wall_s") / _median(ones, "wall_s")
    cpu = _median(splits, "cpu_s") / _median(ones, "cpu_s")
    jobs = _median(splits, "job_processes_cpu_s") / _median(ones, "job_processes_cpu_s")
    serial = _median(splits, "tail_cpu_s") / _median(splits, "cpu_s")
    print(
        f"medians of {args.repeats}: one task {_median(ones, 'wall_s')} s wall, "
        f"{_median(ones, 'cpu_s')} CPU-s; split {_median(splits, 'wall_s')} s wall, "
        f"{_median(splits, 'cpu_s')} CPU-s, tail {_median(splits, 'tail_wall_s')} s wall"
    )
    print(
        f"split / one task: wall {wall:.2f}x, CPU {cpu:.2f}x (job processes {jobs:.2f}x); "
        f"serial tail {serial:.1%} of the split's CPU ({cores} cores)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        out = {"cores": cores, "pages": args.pages, "one_task": ones, "split": splits}
        out.update(wall_ratio=round(wall, 3), cpu_ratio=round(cpu, 3), serial_share=serial)
        args.json.write_text(json.dumps(out, indent=2))
    return 0


def main_engine_threads(args: argparse.Namespace) -> int:
    """Each thread count in a process of its own (the engine is loaded once a process)."""
    runs = []
    for threads in (int(n) for n in args.engine_threads.split(",")):
        command = [sys.executable, __file__, "--engine-run", str(threads)]
        command += ["--engine-pages", str(args.engine_pages)]
        out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(r)
        print(
            f"{r['pages']} pages, {threads} OCR thread(s): {r['wall_s']} s wall, {r['cpu_s']} "
            f"CPU-s (main thread {r['main_cpu_s']} s on a core, {r['main_wait_s']} s waiting "
            f"for one); with free cores {r['free_cores_s_low']}–{r['free_cores_s_high']} s; "
            f"load {r['load']}",
            flush=True,
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"engine_threads": runs}, indent=2))
    return 0


# --- how much a second OCR thread helps one page, on a shared machine --------------------


def engine_threads(pages: int, threads: int) -> dict:
    """OCR ``pages`` pages of the big scan in this process with ``threads`` engine threads,
    with each thread's seconds on a core and seconds runnable but waiting for one
    (``schedstat``). With free cores nobody waits: the wall less the main thread's wait is
    the most it would take, and less the other threads' waits too the least (the main
    thread waits for their parts of each page); with one thread both are the same."""
    import pymupdf

    from service.config import OCRSettings
    from service.ingest.ocr import get_engine, ocr_image
    from service.ingest.pdf import render_page

    get_engine(threads)
    with pymupdf.open(stream=big_scan(pages), filetype="pdf") as pdf:
        images = [render_page(page, 200, 10**9, n + 1) for n, page in enumerate(pdf)]
    before, t0 = _schedstat(), time.perf_counter()
    for image in images:
        ocr_image(image, OCRSettings(threads=threads))
    wall, after = time.perf_counter() - t0, _schedstat()
    main = os.getpid()
    oncpu = {t: after[t][0] - before.get(t, (0, 0))[0] for t in after}
    waits = {t: after[t][1] - before.get(t, (0, 0))[1] for t in after}
    others = sum(w for t, w in waits.items() if t != main)
    return {
        "threads": threads,
        "pages": pages,
        "wall_s": round(wall, 2),
        "cpu_s": round(sum(oncpu.values()), 2),
        "main_cpu_s": round(oncpu[main], 2),
        "main_wait_s": round(waits[main], 2),
        "free_cores_s_high": round(wall - waits[main], 2),
        "free_cores_s_low": round(max(wall - waits[main] - others, 0.0), 2),
        "load": round(os.getloadavg()[0], 1),
    }


def _schedstat() -> dict[int, tuple[float, float]]:
    out = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            on, wait, _ = (task / "schedstat").read_text().split()
        except OSError:
            continue
        out[int(task.name)] = (int(on) / 1e9, int(wait) / 1e9)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
