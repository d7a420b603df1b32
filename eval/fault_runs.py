"""Fault runs of the Celery engine: a mixed batch through the API and two workers while
something breaks, then every upload, page and extraction counted.

One run per fault, each on a fresh database and storage folder:

* ``kill``: ``kill -9`` of the worker process group holding a scan's job while its OCR
  runs; a new worker is started in its place (as a supervisor would);
* ``redis``: the broker restarted mid-batch, losing every message (no persistence);
* ``postgres``: the database stopped for 10 s mid-batch (``pg_ctl stop -m fast``, every
  connection cut), then started again.

The API (``jixiao serve``) and the workers (``jixiao worker``) are subprocesses talking to
a Redis and a PostgreSQL cluster this script starts for itself on free ports
(``eval/throwaway.py``); the machine's own servers are never touched. The batch: generated
text PDFs and DOCX reports and small scans (``service.synth``), one scan long enough to be
read in page tasks and joined. One more upload is made while the fault lasts; refused with a
typed error, it is made again once the fault is over (as a client honouring Retry-After).

Each run prints: uploads, done, typed errors (failed with an error code of ours), untyped
failures (``internal_error``, or an untyped refusal of the upload made during the fault),
lost (not over in time), pages expected vs pages in the stored documents, pages missing,
pages duplicated, documents extracted more than once, jobs claimed more than once, wall
time. Exits 1 when any upload is lost or untyped, any page missing or duplicated, any
document extracted twice, or the fault never came.

Usage: python eval/fault_runs.py [--runs kill,redis,postgres] [--text 4 --docx 2
       --scans 2 --scan-pages 2 --split-scan-pages 4] [--json eval/out/fault_runs.json]
Needs the `scale` and `postgres` extras, redis-server and PostgreSQL's initdb/pg_ctl.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from sqlmodel import select  # noqa: E402

from eval.bench_celery import batch  # noqa: E402
from eval.throwaway import (  # noqa: E402
    ThrowawayPostgres,
    ThrowawayRedis,
    free_port,
    stop_groups,
)
from service.document import Document  # noqa: E402
from service.jobs.worker import DOCUMENT_SUFFIX  # noqa: E402
from service.store.engine import make_engine, read_session  # noqa: E402
from service.store.files import FileStore  # noqa: E402
from service.store.tables import Extraction, Job, StoredDocument  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ADMIN_KEY = "jx_fault-runs-admin-key-0123456789abcdefghijklmn"
HEADERS = {"X-API-Key": ADMIN_KEY}
FAULTS = ("kill", "redis", "postgres")
OVER = ("done", "failed")


# --- the batch ----------------------------------------------------------------------------


@dataclass
class Upload:
    name: str
    data: bytes
    pages: int  # pages the stored document must have, each once


def expected_pages(name: str, data: bytes) -> int:
    """PDF pages as PyMuPDF counts them; a DOCX's pages as its reader makes them."""
    if name.endswith(".pdf"):
        import pymupdf

        with pymupdf.open(stream=data, filetype="pdf") as pdf:
            return int(pdf.page_count)
    from service.ingest import read_document

    return len(read_document(data, name).pages)


def make_batch(text: int, docx: int, scans: int, scan_pages: int, split_pages: int) -> list[Upload]:
    files = batch(text, docx, scans, scan_pages)
    if split_pages:
        files += [
            (f"long-{name}", data)
            for name, data in batch(0, 0, 1, split_pages)
            if name.startswith("scan-")
        ]
    # bytes made unique per run: the same bytes would be deduplicated into one document
    return [Upload(name, data, expected_pages(name, data)) for name, data in files]


# --- the processes ------------------------------------------------------------------------


class Cluster:
    """The API and the workers of one run, on one database, broker and storage folder."""

    def __init__(self, root: Path, database_url: str, broker_url: str, split_pages: int) -> None:
        self.root = root
        self.port = free_port()
        self.storage = root / "files"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "JIXIAO_DATABASE_URL": database_url,
            "JIXIAO_QUEUE__BROKER_URL": broker_url,
            "JIXIAO_QUEUE__PREFIX": f"faults{uuid.uuid4().hex[:6]}-",
            "JIXIAO_QUEUE__SPLIT_PAGES": str(split_pages),
            # a lost message found within seconds, not the production minutes
            "JIXIAO_QUEUE__RECONCILE_SECONDS": "3",
            "JIXIAO_QUEUE__RESEND_AFTER_SECONDS": "6",
            "JIXIAO_QUEUE__VISIBILITY_TIMEOUT_SECONDS": "60",
            "JIXIAO_WORKERS__LEASE_SECONDS": "15",
            "JIXIAO_WORKERS__HEARTBEAT_SECONDS": "2",
            "JIXIAO_WORKERS__RETRY_DELAY_SECONDS": "1",
            "JIXIAO_OCR__DPI": "120",  # spares the shared CPU; the faults are the point
            "JIXIAO_STORAGE__PATH": str(self.storage),
            "JIXIAO_AUTH__BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        }
        self.api: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        scratch = self.root / name
        scratch.mkdir(parents=True, exist_ok=True)
        with (self.root / f"{name}.log").open("ab") as log:
            return subprocess.Popen(
                [str(Path(sys.executable).parent / "jixiao"), *args],
                cwd=REPO,
                env={**self.env, "JIXIAO_DATA_DIR": str(scratch)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 takes its pool too
            )

    def start(self, workers: int) -> None:
        self.api = self._spawn(["serve", "--port", str(self.port), "--log-level", "warning"], "api")
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.api.poll() is not None:
                raise RuntimeError(f"the API did not start; see {self.root / 'api.log'}")
            time.sleep(0.3)
        for _ in range(workers):
            self.add_worker()

    def add_worker(self) -> subprocess.Popen[bytes]:
        n = len(self.workers)
        proc = self._spawn(["worker", "--concurrency", "1"], f"worker{n}")
        self.workers.append(proc)
        return proc

    def kill_worker(self, pid: int) -> None:
        """kill -9 of a worker's whole process group (the worker and its reading process)."""
        os.killpg(pid, signal.SIGKILL)
        for proc in self.workers:
            if proc.pid == pid:
                proc.wait(timeout=10)

    def stop(self) -> None:
        procs = [p for p in [*self.workers, self.api] if p is not None and p.poll() is None]
        stop_groups(procs)


# --- one run ------------------------------------------------------------------------------


@dataclass
class RunResult:
    fault: str
    uploads: int = 0
    done: int = 0
    typed_errors: int = 0
    untyped: int = 0
    lost: int = 0
    pages_expected: int = 0
    pages_stored: int = 0
    pages_missing: int = 0
    pages_duplicated: int = 0
    extracted_twice: int = 0
    retried: int = 0  # jobs claimed more than once (an attempt cut short by the fault)
    late: str = ""  # the answer to the upload made during the fault
    seconds: float = 0.0
    injected: str = ""
    error_codes: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        bad = self.untyped + self.lost + self.pages_missing + self.pages_duplicated
        injected = bool(self.injected) and not self.injected.startswith("never")
        counted = self.done + self.typed_errors == self.uploads
        return injected and bad == 0 and self.extracted_twice == 0 and counted


def run_fault(
    fault: str, uploads: list[Upload], pg: ThrowawayPostgres, redis: ThrowawayRedis, args: Any
) -> RunResult:
    import redis as redis_client

    redis_client.Redis.from_url(redis.url).flushall()
    database = f"jixiao_faults_{os.getpid()}_{fault}"
    url = pg.create_database(database)
    tag = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix=f"jixiao-faults-{fault}-") as tmp:
        cluster = Cluster(Path(tmp), url, redis.url, args.split_pages)
        engine = make_engine(url)
        result = RunResult(fault=fault, uploads=len(uploads))
        try:
            cluster.start(args.workers)
            t0 = time.perf_counter()
            ids = _upload_all(cluster, uploads, tag)
            late = Late(cluster, uploads[len(uploads) // 2], f"late{tag}", ids)
            injector = threading.Thread(
                target=_inject,
                args=(fault, cluster, engine, pg, redis, result, late),
                daemon=True,
            )
            injector.start()
            _wait_over(cluster, ids, args.timeout, injector)
            result.seconds = round(time.perf_counter() - t0, 1)
            _count(result, engine, cluster.storage, ids, uploads)
        finally:
            cluster.stop()
            engine.dispose()
            if args.logs:  # kept for a look at how the fault was met
                target = args.logs / fault
                target.mkdir(parents=True, exist_ok=True)
                for log in Path(tmp).glob("*.log"):
                    shutil.copy(log, target / log.name)
            if result.lost or result.untyped:  # the logs say why
                for log in sorted(Path(tmp).glob("*.log")):
                    print(f"--- {log.name} (end)\n{log.read_text(errors='replace')[-4000:]}")
    _drop_database(pg, database)
    return result


def _upload_all(cluster: Cluster, uploads: list[Upload], tag: str) -> dict[str, Upload]:
    ids: dict[str, Upload] = {}
    with httpx.Client(base_url=cluster.base_url, headers=HEADERS, timeout=60) as client:
        for upload in uploads:
            data = _unique(upload, tag)
            files = {"files": (upload.name, data)}
            response = client.post("/documents", files=files)
            response.raise_for_status()
            ids[response.json()["documents"][0]["id"]] = upload
    return ids


def _unique(upload: Upload, tag: str) -> bytes:
    """The same report with bytes of its own (a PDF comment, a DOCX ZIP comment)."""
    if upload.name.endswith(".pdf"):
        return upload.data + f"%{tag}\n".encode()
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(upload.data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.comment = tag.encode()
    return out.getvalue()


def _inject(
    fault: str,
    cluster: Cluster,
    engine: Any,
    pg: ThrowawayPostgres,
    redis: ThrowawayRedis,
    result: RunResult,
    late: Late,
) -> None:
    """Wait for mid-batch (a scan's job running, some jobs still waiting), then break; one
    more upload is made while the fault lasts (and again after it, if refused)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        state = _job_state(engine)
        scan = next((j for j in state if j[1] == "processing" and j[3]), None)
        if scan is not None and any(j[1] == "queued" for j in state):
            break
        time.sleep(0.2)
    else:
        result.injected = "never: no scan ran while jobs waited"
        return
    if fault == "kill":
        time.sleep(1.5)  # into the OCR (the engine loads, then pages are read)
        pid = int((scan[2] or "::").split(":")[1])
        cluster.kill_worker(pid)
        late.send()
        cluster.add_worker()
        result.injected = f"kill -9 of worker {pid} (job {scan[0]}), a new worker started"
    elif fault == "redis":
        redis.stop()
        late.send()
        time.sleep(2.0)
        redis.start()
        result.injected = "redis-server restarted (down 2 s, every message lost)"
    else:
        pg.stop()
        started = time.monotonic()
        late.send()
        time.sleep(max(0.0, 10.0 - (time.monotonic() - started)))
        pg.start()
        result.injected = "PostgreSQL stopped for 10 s"
    late.resend()
    result.late = late.answer
    result.untyped += int(not late.typed)
    print(f"  {fault}: {result.injected}; upload during it: {late.answer}", flush=True)


class Late:
    """An upload made while the fault lasts; refused with a typed error, it is made again
    once the fault is over, as a client that honours Retry-After does."""

    def __init__(self, cluster: Cluster, upload: Upload, tag: str, ids: dict[str, Upload]):
        self.cluster, self.upload, self.tag, self.ids = cluster, upload, tag, ids
        self.answer = "not sent"
        self.typed = True
        self.accepted = False

    def send(self) -> None:
        data = _unique(self.upload, self.tag)
        try:
            response = httpx.post(
                f"{self.cluster.base_url}/documents",
                files={"files": (self.upload.name, data)},
                headers=HEADERS,
                timeout=60,
            )
        except httpx.HTTPError as exc:
            self.answer, self.typed = f"no answer ({type(exc).__name__})", False
            return
        if response.status_code == 202:
            self.answer, self.accepted = "202 accepted", True
            self.ids[response.json()["documents"][0]["id"]] = self.upload
            return
        try:
            code = str(response.json()["error"]["code"])
        except (ValueError, KeyError, TypeError):
            code = "(no JSON error)"
        self.answer = f"{response.status_code} {code}"
        self.typed = code not in ("internal_error", "(no JSON error)")

    def resend(self) -> None:
        if not self.accepted and self.typed:
            first = self.answer
            deadline = time.monotonic() + 60
            while not self.accepted and time.monotonic() < deadline:
                self.send()
                time.sleep(0.5)
            self.answer = f"{first}, then {self.answer}"


def _job_state(engine: Any) -> list[tuple[int, str, str | None, bool]]:
    """(job id, status, worker id, is a scan) for every job."""
    query = select(Job.id, Job.status, Job.worker_id, StoredDocument.filename).join(
        StoredDocument,
        StoredDocument.id == Job.document_id,  # type: ignore[arg-type]
    )
    try:
        with read_session(engine) as session:
            rows = session.exec(query).all()
    except Exception:  # noqa: BLE001 - the database is down in the postgres run
        return []
    return [(i or 0, str(s), w, "scan-" in (f or "")) for i, s, w, f in rows]


def _wait_over(
    cluster: Cluster, ids: dict[str, Upload], timeout: float, injector: threading.Thread
) -> None:
    """Until the fault is over and every upload done or failed (read through the API), or
    ``timeout``."""
    deadline = time.monotonic() + timeout
    over: set[str] = set()
    with httpx.Client(base_url=cluster.base_url, headers=HEADERS, timeout=10) as client:
        while time.monotonic() < deadline:
            pending = set(ids) - over
            if not pending and not injector.is_alive():
                return
            for doc_id in sorted(pending):
                try:
                    response = client.get(f"/documents/{doc_id}")
                except httpx.HTTPError:  # the API restarting its connections: look again
                    break
                if response.status_code == 200 and response.json()["status"] in OVER:
                    over.add(doc_id)
            time.sleep(0.5)


def _count(
    result: RunResult, engine: Any, storage: Path, ids: dict[str, Upload], uploads: list[Upload]
) -> None:
    files = FileStore(storage)
    result.uploads = len(ids)  # the batch and the upload made during the fault
    with read_session(engine) as session:
        docs = {d.id: d for d in session.exec(select(StoredDocument)).all()}
        extractions = Counter(session.exec(select(Extraction.document_id)).all())
        attempts = session.exec(select(Job.document_id, Job.attempts)).all()
    result.retried = sum(1 for doc_id, n in attempts if doc_id in ids and n > 1)
    codes: Counter[str] = Counter()
    for doc_id, upload in ids.items():
        doc = docs[doc_id]
        result.pages_expected += upload.pages
        if doc.status == "done":
            result.done += 1
        elif doc.status == "failed":
            code = str((doc.error or {}).get("code") or "")
            codes[code or "none"] += 1
            if code and code != "internal_error":
                result.typed_errors += 1
            else:
                result.untyped += 1
        else:
            result.lost += 1
        result.extracted_twice += int(extractions[doc_id] > 1)
        if doc.status != "done":
            continue
        blob = files.get_derived(doc.sha256, DOCUMENT_SUFFIX)
        numbers = [] if blob is None else _page_numbers(blob)
        seen = Counter(numbers)
        result.pages_stored += len(numbers)
        result.pages_missing += len(set(range(1, upload.pages + 1)) - set(seen))
        result.pages_duplicated += sum(n - 1 for n in seen.values())
    result.error_codes = dict(codes)


def _page_numbers(blob: bytes) -> list[int]:
    import gzip

    document = Document.model_validate_json(gzip.decompress(blob))
    return [page.number for page in document.pages]


def _drop_database(pg: ThrowawayPostgres, name: str) -> None:
    import psycopg

    with psycopg.connect(
        f"host=127.0.0.1 port={pg.port} user=postgres dbname=postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the table ----------------------------------------------------------------------------

COLUMNS = (
    ("fault", "fault"),
    ("uploads", "uploads"),
    ("done", "done"),
    ("typed_errors", "typed err"),
    ("untyped", "untyped"),
    ("lost", "lost"),
    ("pages_expected", "pages exp"),
    ("pages_stored", "pages stored"),
    ("pages_missing", "missing"),
    ("pages_duplicated", "dup"),
    ("extracted_twice", "extracted 2x"),
    ("retried", "retried"),
    ("seconds", "wall s"),
)


def table(results: list[RunResult]) -> str:
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |"]
    lines.append("|" + "---|" * len(COLUMNS))
    for r in results:
        lines.append("| " + " | ".join(str(getattr(r, key)) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default=",".join(FAULTS), help="faults to run, e.g. kill,redis")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--text", type=int, default=4, help="text PDFs in the batch")
    parser.add_argument("--docx", type=int, default=2, help="DOCX reports in the batch")
    parser.add_argument("--scans", type=int, default=2, help="small scanned PDFs")
    parser.add_argument("--scan-pages", type=int, default=2, help="pages of each small scan")
    parser.add_argument(
        "--split-scan-pages", type=int, default=4, help="pages of the scan read in page tasks"
    )
    parser.add_argument("--split-pages", type=int, default=2, help="pages per page task")
    parser.add_argument("--timeout", type=float, default=420, help="seconds for a run to end")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--logs", type=Path, help="copy the API's and workers' logs here")
    args = parser.parse_args(argv)
    faults = [f.strip() for f in args.runs.split(",") if f.strip()]
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        parser.error(f"unknown fault(s) {unknown}; the faults are {', '.join(FAULTS)}")
    uploads = make_batch(args.text, args.docx, args.scans, args.scan_pages, args.split_scan_pages)
    load = os.getloadavg()[0]
    redis, pg = ThrowawayRedis().start(), ThrowawayPostgres().start()
    results = []
    try:
        for fault in faults:
            print(f"run {fault}: {len(uploads)} uploads", flush=True)
            results.append(run_fault(fault, uploads, pg, redis, args))
    finally:
        redis.close()
        pg.close()
    print(table(results))
    for r in results:
        print(f"{r.fault}: {r.injected}; the upload during it: {r.late}")
        if r.error_codes:
            print(f"{r.fault}: failed with {r.error_codes}")
    print(f"load {load:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        rows = [{**asdict(r), "ok": r.ok} for r in results]
        args.json.write_text(json.dumps({"cores": os.cpu_count(), "runs": rows}, indent=2))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
