"""Soak run of the HTTP service: many mixed uploads, hostile files among them, and ``kill -9``
of the server or one of its worker processes every so often, with restarts.

Starts ``jixiao serve`` on 127.0.0.1 only (a fresh data folder, SQLite unless
``--database-url``, process isolation as in production), then:

* ``--clients`` threads upload ``--count`` files: one-page text reports (``--short`` of the
  good ones: cheap to read, so a thousand fit in minutes), generated full reports (text,
  PDF, DOCX from ``service.synth``), each made unique, and, for ``--hostile`` of them, bad
  files: empty,
  truncated, garbage, encrypted, zero-page and mislabelled PDFs, an oversized file, a DOCX
  and a PNG decompression bomb, a long one-line text. A request that meets a dead server
  (connection refused or reset) is sent again once it is back: the same bytes return the
  same document, so a retry never makes a second one;
* every ``--kill-every`` seconds it sends SIGKILL, in turn, to a worker process (the
  server's child) and to the server itself, which it starts again at once; the worker
  processes of a killed server must exit by themselves (``orphans`` counts those that did
  not within 30 s, and the script then ends them);
* after the uploads it waits (``--drain``) until every acknowledged document is ``done`` or
  ``failed``, and samples the resident memory of the server and its workers throughout.

It prints the counts as JSON: uploads ``answered``, ``acknowledged`` (202; ``duplicates``
are the same bytes again, which name the same document) and ``refused`` (a typed 4xx
error, by code); documents ``done`` and ``failed`` (by kind and typed error code); ``lost``
(an acknowledged document the service no longer knows: must be 0), ``untyped`` (any answer
that is not a 2xx or the JSON error: must be 0), ``unfinished`` (not done or failed when the
time ran out, by status: on a loaded machine the queue may still hold work, which the next
start picks up), ``good_failed`` (a good report that failed), the kills and restarts, and
the memory. Exit status 1 when lost, unfinished, untyped or orphans is not 0.

Bounded by ``--count`` and ``--max-seconds``:

    python eval/soak.py --count 1000 --hostile 0.1 --kill-every 60 --max-seconds 600
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from eval.bench_api import _descendants, _free_port, _status_kb  # noqa: E402

ADMIN_KEY = "jx_soak-admin-key-not-for-production-0123456789"
REPO = Path(__file__).resolve().parents[1]
MAX_BYTES = 4 * 1024 * 1024  # the server's upload limit in the soak: oversized files are cheap


# --- the files --------------------------------------------------------------------------------


def good_bases(count: int) -> list[tuple[str, bytes]]:
    """Generated reports in three formats (``count`` reports, each as txt, pdf and docx)."""
    from service.synth import make_report, render

    bases = []
    for i in range(count):
        report = make_report(1000 + i, template=("hunan", "sichuan", "prose_only")[i % 3])
        # text weighs most: the cheapest to read, so the run stays within its time
        for fmt in ("txt",) * 6 + ("pdf", "docx"):
            bases.append((fmt, render(report.spec, fmt)[0]))
    return bases


def short_report(i: int) -> bytes:
    """A one-page report in plain text (unit, year, money, a few indicators): cheap to read,
    so a run of a thousand stays within minutes while the crashes are what is tested."""
    rng = random.Random(i)
    income = rng.randint(300, 5000) + rng.randint(0, 99) / 100
    spent = round(income * rng.uniform(0.85, 0.99), 2)
    basic = round(spent * rng.uniform(0.5, 0.8), 2)
    lines = [
        f"第{i}局2023年度部门整体支出绩效自评报告",
        "一、部门基本情况",
        f"本单位编制数{rng.randint(10, 90)}人，在职人数{rng.randint(8, 80)}人。",
        "二、部门整体支出情况",
        f"2023年本年收入合计{income:.2f}万元，本年支出合计{spent:.2f}万元，"
        f"其中基本支出{basic:.2f}万元，项目支出{spent - basic:.2f}万元。",
        "三、绩效目标完成情况",
        f"办理案件{rng.randint(50, 500)}件，办结率{rng.randint(90, 100)}%。",
        f"四、自评结论：自评得分{rng.randint(80, 99)}分，等级为优。",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def unique(fmt: str, data: bytes, tag: str) -> bytes:
    """The same document with different bytes (a new sha256), still well-formed."""
    if fmt == "txt":
        return data + f"\n编号：{tag}\n".encode()
    if fmt == "pdf":
        return data + f"\n% {tag}\n".encode()  # after %%EOF: ignored by readers
    # docx: the tag as the ZIP's comment (the end record's last field, empty before)
    assert data[-2:] == b"\x00\x00"
    comment = tag.encode()
    return data[:-2] + struct.pack("<H", len(comment)) + comment


def _pdf(pages: int = 1) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page().insert_text((72, 72), "部门整体支出绩效自评报告", fontname="china-s")
    return bytes(doc.tobytes())


def _encrypted_pdf() -> bytes:
    import pymupdf

    doc = pymupdf.open(stream=_pdf(), filetype="pdf")
    buf = io.BytesIO()
    doc.save(buf, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    return buf.getvalue()


def _zero_page_pdf() -> bytes:
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png_bomb() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idat + chunk(b"IEND", b"")


def _docx_bomb(docx: bytes, inflated: int = 300 * 1024 * 1024) -> bytes:
    """A real DOCX whose document.xml unpacks to ``inflated`` bytes (a few hundred KB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item, src.read(item))
        bomb = zipfile.ZipInfo("word/document.xml")
        bomb.compress_type = zipfile.ZIP_DEFLATED
        block = b"<w:t>" + b" " * (1024 * 1024 - 11) + b"</w:t>"
        with dst.open(bomb, "w", force_zip64=True) as fh:
            for _ in range(inflated // len(block)):
                fh.write(block)
    return out.getvalue()


def hostile_files(docx: bytes) -> list[tuple[str, str, bytes]]:
    """(kind, file name, bytes) of the bad files."""
    rng = random.Random(7)
    return [
        ("empty", "empty.pdf", b""),
        ("truncated", "truncated.pdf", _pdf(3)[:400]),
        ("garbage", "garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20),
        ("encrypted", "encrypted.pdf", _encrypted_pdf()),
        ("zero_pages", "zero.pdf", _zero_page_pdf()),
        ("mislabelled", "report.pdf", bytes(range(1, 256)) * 20),
        ("mislabelled_docx", "report.docx", _pdf(1)),
        ("oversized", "big.pdf", rng.randbytes(MAX_BYTES + 1024)),
        ("png_bomb", "scan.png", _png_bomb()),
        ("docx_bomb", "bomb.docx", _docx_bomb(docx)),
        ("long_line", "one-line.txt", ("部门整体支出绩效自评报告，" * 5_000).encode()),
    ]


@dataclass
class Upload:
    kind: str  # txt/pdf/docx, or the hostile kind
    name: str
    data: bytes
    hostile: bool


def plan(count: int, hostile_share: float, seed: int, short_share: float = 0.7) -> list[Upload]:
    rng = random.Random(seed)
    bases = good_bases(max(3, min(12, count // 60)))
    docx = next(data for fmt, data in bases if fmt == "docx")
    bad = hostile_files(docx)
    n_bad = round(count * hostile_share)
    short_tenths = round(short_share * 10)
    uploads = []
    for i in range(count - n_bad):
        if i % 10 < short_tenths:  # most are short text reports, the rest full ones
            data = short_report(seed * 100_000 + i)
            uploads.append(Upload("short_txt", f"short-{i}.txt", data, False))
            continue
        fmt, data = bases[i % len(bases)]
        uploads.append(
            Upload(fmt, f"report-{i}.{fmt}", unique(fmt, data, f"soak-{seed}-{i}"), False)
        )
    for i in range(n_bad):
        kind, name, data = bad[i % len(bad)]
        if kind == "long_line":  # distinct, so each is read (not a duplicate)
            data = data + f"{i}".encode()
        uploads.append(Upload(kind, name, data, True))
    rng.shuffle(uploads)
    return uploads


# --- the server -------------------------------------------------------------------------------


class Server:
    """``jixiao serve`` on 127.0.0.1, restartable on the same data folder and port."""

    def __init__(self, data_dir: Path, port: int, database_url: str | None) -> None:
        self.data_dir, self.port, self.database_url = data_dir, port, database_url
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.up = threading.Event()
        self.log = open(data_dir.parent / "server.log", "ab")  # noqa: SIM115

    def start(self) -> None:
        env = {
            **os.environ,
            "JIXIAO_DATA_DIR": str(self.data_dir),
            "JIXIAO_AUTH__BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
            "JIXIAO_WORKERS__EXTRACTOR": "rules",
            "JIXIAO_WORKERS__POLL_SECONDS": "0.5",
            "JIXIAO_LIMITS__MAX_BYTES": str(MAX_BYTES),
            "JIXIAO_WORKERS__RETRY_DELAY_SECONDS": "1",
        }
        if self.database_url:
            env["JIXIAO_DATABASE_URL"] = self.database_url
        for key in ("JIXIAO_LLM_BASE_URL", "JIXIAO_LLM_MODEL"):
            env.pop(key, None)
        cmd = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1"]
        cmd += ["--port", str(self.port), "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    self.up.set()
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited at start (see server.log)")
            time.sleep(0.2)
        raise RuntimeError("the server did not become ready in 120 s")

    def workers(self) -> list[int]:
        return _descendants(self.proc.pid) if self.proc else []

    def kill(self) -> list[int]:
        """SIGKILL the server; returns its worker processes (now orphans until they exit)."""
        assert self.proc is not None
        children = self.workers()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.up.clear()  # after the kill: requests in flight meet the dead server
        return children

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            children = self.workers()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for pid in children:
                _kill_quietly(pid)
        self.log.close()


def _kill_quietly(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, Upload] = field(default_factory=dict)  # document id → upload
    acknowledged_uploads: int = 0  # 202 answers (the same bytes again give the same id)
    duplicates: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # error code
    refused_good: list[str] = field(default_factory=list)
    untyped: list[str] = field(default_factory=list)
    retries: int = 0
    kills: Counter[str] = field(default_factory=Counter)
    orphans: int = 0
    rss_mb: list[tuple[float, float]] = field(default_factory=list)  # (t, MB)


def _typed_error(response: httpx.Response) -> str | None:
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return None
    if not (isinstance(error, dict) and error.get("code") and error.get("message_zh")):
        return None
    return str(error["code"])


def send(server: Server, upload: Upload, tally: Tally, deadline: float) -> None:
    headers = {"X-API-Key": ADMIN_KEY}
    with httpx.Client(timeout=120) as client:
        while time.monotonic() < deadline:
            server.up.wait(timeout=5)
            try:
                r = client.post(
                    f"{server.base}/documents",
                    files={"files": (upload.name, upload.data)},
                    headers=headers,
                )
            except httpx.TransportError:  # the server was killed: send it again when back
                with tally.lock:
                    tally.retries += 1
                time.sleep(0.5)
                continue
            with tally.lock:
                if r.status_code == 202:
                    item = r.json()["documents"][0]
                    tally.acknowledged[item["id"]] = upload
                    tally.acknowledged_uploads += 1
                    tally.duplicates += bool(item.get("duplicate"))
                elif 400 <= r.status_code < 500 and (code := _typed_error(r)):
                    tally.refused[code] += 1
                    if not upload.hostile:
                        tally.refused_good.append(f"{upload.name}: {code}")
                else:
                    tally.untyped.append(f"{upload.kind} -> {r.status_code} {r.text[:120]}")
            return


def killer(
    server: Server, tally: Tally, every: float, stop_at: float, done: threading.Event
) -> None:
    turn = 0
    while not done.wait(every) and time.monotonic() < stop_at:
        turn += 1
        workers = server.workers()
        if turn % 2 == 1 and workers:  # a worker process, mid-job or idle
            _kill_quietly(random.choice(workers))
            tally.kills["worker"] += 1
            continue
        children = server.kill()
        tally.kills["server"] += 1
        server.start()
        tally.kills["restart"] += 1
        grace = time.monotonic() + 30
        while any(_alive(p) for p in children) and time.monotonic() < grace:
            time.sleep(0.5)
        left = [p for p in children if _alive(p)]
        tally.orphans += len(left)
        for pid in left:
            _kill_quietly(pid)


def sampler(server: Server, tally: Tally, started: float, done: threading.Event) -> None:
    while not done.wait(2.0):
        if server.proc is None:
            continue
        pids = [server.proc.pid, *server.workers()]
        mb = sum(_status_kb(p, "VmRSS") for p in pids) / 1024
        tally.rss_mb.append((time.monotonic() - started, mb))


def statuses(server: Server) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    headers = {"X-API-Key": ADMIN_KEY}
    offset = 0
    while True:
        r = httpx.get(
            f"{server.base}/documents",
            params={"limit": 200, "offset": offset},
            headers=headers,
            timeout=60,
        )
        r.raise_for_status()
        page = r.json()
        for item in page["items"]:
            out[item["id"]] = item
        offset += 200
        if offset >= page["total"]:
            return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    deadline = started + args.max_seconds
    uploads = plan(args.count, args.hostile, args.seed, args.short)
    prepared_s = time.monotonic() - started
    folder = Path(tempfile.mkdtemp(prefix="jixiao-soak-"))
    server = Server(folder / "data", args.port or _free_port(), args.database_url)
    server.start()
    tally, done = Tally(), threading.Event()
    threads = [
        threading.Thread(
            target=killer,
            args=(server, tally, args.kill_every, deadline - args.settle, done),
            daemon=True,
        ),
        threading.Thread(target=sampler, args=(server, tally, started, done), daemon=True),
    ]
    for t in threads:
        t.start()
    queue = list(reversed(uploads))
    queue_lock = threading.Lock()

    def client() -> None:
        while time.monotonic() < deadline:
            with queue_lock:
                if not queue:
                    return
                upload = queue.pop()
            send(server, upload, tally, deadline)

    clients = [threading.Thread(target=client) for _ in range(args.clients)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    uploads_s = time.monotonic() - started
    # drain: every acknowledged document done or failed
    final: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline:
        server.up.wait(timeout=60)
        try:
            final = statuses(server)
        except httpx.HTTPError:
            time.sleep(1)
            continue
        pending = [
            i
            for i in tally.acknowledged
            if final.get(i, {}).get("status") not in ("done", "failed")
        ]
        if not pending:
            break
        time.sleep(2)
    done.set()
    for t in threads:
        t.join(timeout=150)
    try:
        final = statuses(server)
    finally:
        server.stop()
    states = {i: final.get(i) for i in tally.acknowledged}
    lost = [i for i, s in states.items() if s is None]
    unfinished = [i for i, s in states.items() if s and s["status"] not in ("done", "failed")]
    failed = Counter(
        f"{tally.acknowledged[i].kind}: {(s.get('error') or {}).get('code', '?')}"
        for i, s in states.items()
        if s and s["status"] == "failed"
    )
    good_failed = [
        f"{tally.acknowledged[i].name}: {(s.get('error') or {}).get('code')}"
        for i, s in states.items()
        if s and s["status"] == "failed" and not tally.acknowledged[i].hostile
    ]
    rss = [mb for _, mb in tally.rss_mb]
    third = max(1, len(rss) // 3)
    return {
        "uploads": len(uploads),
        "answered": tally.acknowledged_uploads + sum(tally.refused.values()) + len(tally.untyped),
        "hostile": sum(u.hostile for u in uploads),
        "acknowledged": tally.acknowledged_uploads,
        "duplicates": tally.duplicates,
        "refused": dict(tally.refused.most_common()),
        "documents": len(set(tally.acknowledged)),
        "done": sum(1 for s in states.values() if s and s["status"] == "done"),
        "done_hostile": dict(
            Counter(
                tally.acknowledged[i].kind
                for i, s in states.items()
                if s and s["status"] == "done" and tally.acknowledged[i].hostile
            )
        ),
        "failed": dict(failed.most_common()),
        "lost": len(lost),
        "unfinished": len(unfinished),
        "unfinished_by_status": dict(Counter(states[i]["status"] for i in unfinished)),
        "untyped": len(tally.untyped),
        "untyped_examples": tally.untyped[:5],
        "good_refused": tally.refused_good[:5],
        "good_failed": good_failed[:10],
        "retried_requests": tally.retries,
        "kills": dict(tally.kills),
        "orphan_workers": tally.orphans,
        "rss_mb": {
            "first_third_median": _median(rss[:third]),
            "last_third_median": _median(rss[-third:]),
            "max": round(max(rss), 1) if rss else 0.0,
        },
        "seconds": {
            "prepare": round(prepared_s, 1),
            "uploads_done": round(uploads_s, 1),
            "total": round(time.monotonic() - started, 1),
        },
        "load_average": os.getloadavg()[0],
    }


def _median(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[len(ordered) // 2], 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="uploads in all")
    parser.add_argument("--hostile", type=float, default=0.1, help="share of bad files")
    parser.add_argument(
        "--short", type=float, default=0.7, help="share of good uploads that are one-page texts"
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent uploaders")
    parser.add_argument("--kill-every", type=float, default=60.0, help="seconds between kills")
    parser.add_argument("--settle", type=float, default=90.0, help="no kill this close to the end")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="the whole run at most")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = run(args)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    bad = result["lost"] or result["unfinished"] or result["untyped"] or result["orphan_workers"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
