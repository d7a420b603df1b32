"""``jixiao extract`` over many files: a process pool, a progress line, one JSON per
document, one combined XLSX/CSV, the failures listed at the end.

Owns only running the existing pipeline (``read_path`` + ``extract``) over many inputs and
writing what comes back; the spreadsheet layout is ``service.api.sheets`` (the same sheets
as the HTTP bulk export). Workers are forked after the extractor is imported, so each starts
warm instead of paying the imports and pattern compilation again.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from service.errors import InputError, JixiaoError


def default_jobs(n_files: int) -> int:
    """Worker processes by default: one per available core, never more than the files."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, n_files))


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders walked (sorted, hidden entries skipped); order kept, each
    file once. A path that does not exist is kept so that it is reported as a failure."""
    out: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)

    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if child.is_file() and not any(part.startswith(".") for part in rel):
                    add(child)
        else:
            add(path)
    return out


def output_names(files: list[Path]) -> list[str]:
    """A distinct JSON file name per input: its stem, numbered where two stems collide."""
    names: list[str] = []
    taken: set[str] = set()
    for f in files:
        name, n = f.stem or "document", 1
        while name in taken:
            n += 1
            name = f"{f.stem}-{n}"
        taken.add(name)
        names.append(name)
    return names


@dataclass
class Outcome:
    """What one worker sends back for one input."""

    index: int
    path: str
    ok: bool
    pages: int = 0
    seconds: float = 0.0
    status: str | None = None  # the pipeline's success / partial / failed
    export_json: str | None = None
    code: str | None = None  # typed error code when not ok
    message: str | None = None
    notes: list[str] = field(default_factory=list)


# The ingest and extract options a worker uses: set by ``_init`` in each process.
_OPTIONS: tuple[Any, Any] | None = None


def _init(options: tuple[Any, Any]) -> None:
    global _OPTIONS
    _OPTIONS = options


def _extract_one(index: int, path: str) -> Outcome:
    from service.extract.pipeline import extract
    from service.ingest import read_path

    assert _OPTIONS is not None
    ingest_options, extract_options = _OPTIONS
    t0 = time.perf_counter()
    try:
        doc = read_path(path, ingest_options)
        result = extract(doc, extract_options)
    except InputError as exc:
        return Outcome(index, path, False, code=exc.code, message=exc.message)
    except FileNotFoundError:
        return Outcome(
            index, path, False, code="file_not_found", message="找不到文件 File not found"
        )
    except IsADirectoryError:
        return Outcome(index, path, False, code="not_a_file", message="不是文件 Not a file")
    except JixiaoError as exc:
        return Outcome(index, path, False, code=exc.code, message=exc.message)
    except Exception as exc:  # noqa: BLE001 - one bad file must not end the batch
        return Outcome(
            index, path, False, code="internal_error", message=f"{type(exc).__name__}: {exc}"
        )
    seconds = time.perf_counter() - t0
    notes = list(result.notes) + [f"{e.stage}: {e.message}" for e in result.errors]
    if result.status == "failed":
        return Outcome(
            index, path, False, len(doc.pages), seconds, result.status,
            code="extraction_failed", message="; ".join(notes), notes=notes,
        )  # fmt: skip
    return Outcome(
        index, path, True, len(doc.pages), seconds, result.status,
        export_json=result.export.model_dump_json(), notes=notes,
    )  # fmt: skip


def _context() -> multiprocessing.context.BaseContext:
    """fork when this process runs one thread (the command line): workers inherit the
    imported extractor and its compiled patterns. A process with other threads (the
    extractor called from a server or a test run) must not fork — a lock another thread
    held at the fork stays locked in the child — so its workers start from a fork server."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _run(files: list[Path], jobs: int, options: tuple[Any, Any]) -> Iterator[Outcome]:
    """Outcomes in the order they finish."""
    _init(options)
    if jobs <= 1 or len(files) <= 1:
        for i, f in enumerate(files):
            yield _extract_one(i, str(f))
        return
    with ProcessPoolExecutor(jobs, _context(), initializer=_init, initargs=(options,)) as pool:
        futures: list[Future[Outcome]] = [
            pool.submit(_extract_one, i, str(f)) for i, f in enumerate(files)
        ]
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker died (native crash, OOM kill)
                i = futures.index(fut)
                yield Outcome(i, str(files[i]), False, code="worker_died", message=str(exc))


class Progress:
    """One line on stderr: documents done, pages/s, ETA (by bytes still to read). Redrawn
    in place on a terminal, one line per document otherwise (logs, CI)."""

    def __init__(self, files: list[Path], stream: TextIO) -> None:
        self.total = len(files)
        self.sizes = [_size(f) for f in files]
        self.total_bytes = sum(self.sizes) or 1
        self.stream = stream
        self.tty = stream.isatty()
        self.t0 = time.perf_counter()
        self.done = self.pages = self.failed = self.bytes_done = 0

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        self.pages += outcome.pages
        self.failed += not outcome.ok
        self.bytes_done += self.sizes[outcome.index]
        elapsed = max(time.perf_counter() - self.t0, 1e-9)
        left = self.total_bytes - self.bytes_done
        eta = elapsed * left / self.bytes_done if self.bytes_done else 0.0
        line = (
            f"[{self.done}/{self.total}] {self.pages} pages, {self.pages / elapsed:.1f} pages/s, "
            f"ETA {_clock(eta)}" + (f", {self.failed} failed" if self.failed else "")
        )
        if self.tty:
            self.stream.write("\r\x1b[K" + line + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(f"{line}  {Path(outcome.path).name}\n")
        self.stream.flush()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def _sheet_view(name: str, path: str, export: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from service.api.sheets import DocMeta

    report = export.get("report") or {}
    department = (report.get("department") or {}).get("value")
    year = (report.get("fiscal_year") or {}).get("value")
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    year = year if isinstance(year, int) and not isinstance(year, bool) else None
    return DocMeta(name, Path(path).name, department, year), export


@dataclass
class BatchOptions:
    files: list[Path]
    jobs: int
    out: Path | None
    xlsx: Path | None
    csv: Path | None
    indent: bool = False


def run_batch(
    options: BatchOptions,
    ingest_options: Any,
    extract_options: Any,
    stderr: TextIO | None = None,
    on_note: Callable[[str], None] | None = None,
) -> int:
    """Extract every file; 0 when all succeeded, 2 when a file was refused as bad input,
    else 1 when any failed otherwise."""
    import service.extract.pipeline  # noqa: F401 - imported once here, inherited by workers

    err = stderr or sys.stderr
    files = options.files
    names = output_names(files)
    if options.out is not None:
        options.out.mkdir(parents=True, exist_ok=True)
    want_sheets = options.xlsx is not None or options.csv is not None
    views: dict[int, tuple[Any, dict[str, Any]]] = {}
    failures: list[Outcome] = []
    notes_seen: set[str] = set()
    progress = Progress(files, err)
    for outcome in _run(files, options.jobs, (ingest_options, extract_options)):
        progress.update(outcome)
        for note in outcome.notes:  # the same note (no LLM configured) once, not per file
            if note not in notes_seen:
                notes_seen.add(note)
                (on_note or (lambda n: print(f"jixiao: {n}", file=err)))(note)
        if not outcome.ok:
            failures.append(outcome)
            continue
        assert outcome.export_json is not None
        name = names[outcome.index]
        if options.out is not None:
            text = outcome.export_json
            if options.indent:
                text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
            (options.out / f"{name}.json").write_text(text, encoding="utf-8")
        if want_sheets:
            views[outcome.index] = _sheet_view(name, outcome.path, json.loads(outcome.export_json))
    ordered = [views[i] for i in sorted(views)]  # input order, not finishing order
    _write_sheets(options, ordered)
    elapsed = time.perf_counter() - progress.t0
    ok = len(files) - len(failures)
    print(
        f"jixiao: {ok} of {len(files)} documents extracted, {progress.pages} pages in "
        f"{elapsed:.1f} s ({progress.pages / max(elapsed, 1e-9):.1f} pages/s, {options.jobs} "
        f"worker{'s' if options.jobs != 1 else ''})",
        file=err,
    )
    if failures:
        print(f"jixiao: {len(failures)} failed:", file=err)
        for f in sorted(failures, key=lambda f: f.index):
            print(f"  {f.path}: {f.code}: {f.message}", file=err)
    if not failures:
        return 0
    return 2 if any(f.code not in _NOT_INPUT for f in failures) else 1


# failures that are not the file's fault (exit 1 rather than 2)
_NOT_INPUT = {"extraction_failed", "internal_error", "worker_died"}


def _write_sheets(options: BatchOptions, views: list[tuple[Any, dict[str, Any]]]) -> None:
    if options.xlsx is None and options.csv is None:
        return
    from service.api.sheets import build_sheets, long_csv, to_xlsx

    if options.xlsx is not None:
        documents = [
            {
                "document_id": meta.document_id,
                "filename": meta.filename,
                "department": meta.department,
                "fiscal_year": meta.fiscal_year,
                "findings": len(export.get("findings") or []),
                "sha256": (export.get("document") or {}).get("sha256"),
            }
            for meta, export in views
        ]
        options.xlsx.parent.mkdir(parents=True, exist_ok=True)
        options.xlsx.write_bytes(to_xlsx(build_sheets(views), documents))
    if options.csv is not None:
        options.csv.parent.mkdir(parents=True, exist_ok=True)
        options.csv.write_bytes(long_csv(views))
