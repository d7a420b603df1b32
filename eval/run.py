"""``jixiao eval``: extract every document of the set, score it, report, store, compare.

Owns: the run (ingest → extract → score for each document, format and extractor), the
progress bar, report.json, the stored run history and the ``--compare`` exit status.
Scoring rules live in ``eval.scorer``; the HTML in ``eval.report``. Must not touch the
extractor itself: a run receives its extractors as plain callables (tests inject broken
ones), by default the service's ``extract`` pipeline.

Exit status: 0 done; 1 ``--compare`` found a field whose F1 dropped by more than the
threshold; 2 bad input (a broken manifest, an unknown extractor).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from eval.dataset import (
    DEFAULT_SET,
    REPO,
    EvalSetError,
    Item,
    Materializer,
    code_hash,
    items,
    load_manifest,
    set_fingerprint,
)
from eval.generalisation import Scored, generalisation, split_rows, steer_document
from eval.history import (
    Comparison,
    DatabaseRunStore,
    MemoryRunStore,
    RunRecord,
    RunStore,
    compare_runs,
)
from eval.scorer import DocScore, score_document
from eval.summary import summarize

EXTRACTORS = ("rules", "llm", "auto", "local")
DEFAULT_THRESHOLD = 0.02
DEFAULT_CACHE = REPO / "eval" / "out" / "cache"
ExtractFn = Callable[[Any], Any]  # Document -> ExtractionResult | ReportExport | dict


@dataclass
class EvalOptions:
    set_path: Path = DEFAULT_SET
    out_dir: Path = REPO / "eval" / "out"
    extractors: list[str] = field(default_factory=lambda: ["rules"])
    compare: bool = False
    threshold: float = DEFAULT_THRESHOLD
    formats: list[str] | None = None
    only: list[str] | None = None  # document id prefixes
    splits: list[str] | None = None  # heldout, tuning, seeds
    cache_dir: Path = DEFAULT_CACHE  # shared by every --out, so dated nightly folders reuse it
    use_cache: bool = True
    database_url: str | None = None  # default: the service's database
    store: bool = True
    progress: bool = True
    worst: int = 6


@dataclass
class DocResult:
    """One document in one format through one extractor."""

    item: Item
    extractor: str
    score: DocScore
    status: str = "success"
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    llm: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    prompt_version: str | None = None
    families: list[str] = field(default_factory=list)
    held_out_families: list[str] = field(default_factory=list)
    steering: dict[str, Any] = field(default_factory=dict)  # eval.generalisation.Steering

    @property
    def split(self) -> str:
        return self.item.entry.split

    @property
    def scored(self) -> Scored:
        return Scored(
            self.split, self.families, self.item.format, self.steering, self.held_out_families
        )

    @property
    def f1(self) -> float:
        value = self.score.overall.f1
        return 0.0 if value is None else value


@dataclass
class EvalResult:
    report: dict[str, Any]
    runs: dict[str, RunRecord]
    comparisons: dict[str, Comparison]
    out_dir: Path

    @property
    def failed(self) -> bool:
        return any(c.failed for c in self.comparisons.values())


# --- extractors -----------------------------------------------------------------------------


def llm_configured() -> bool:
    """Whether the service can run its LLM extractor (the pipeline's word for it)."""
    from service.extract import pipeline

    return bool(pipeline.llm_available())


def local_installed() -> bool:
    """Whether the local model (the ``local-llm`` extra) is installed."""
    from service.extract.llm.local import local_model_installed

    return local_model_installed()


def resolve_extractors(names: Sequence[str]) -> list[str]:
    """``all`` is rules, plus llm and auto when an LLM endpoint is configured, plus local
    when the local model is installed."""
    out: list[str] = []
    for name in names:
        if name == "all":
            out += ["rules", "llm", "auto"] if llm_configured() else ["rules"]
            out += ["local"] if local_installed() else []
        elif name in EXTRACTORS:
            out.append(name)
        else:
            raise EvalSetError(f"unknown extractor {name!r} (rules, llm, auto, local or all)")
    if "llm" in out and not llm_configured():
        raise EvalSetError("--extractor llm needs an LLM endpoint (JIXIAO_LLM_BASE_URL, _MODEL)")
    if "local" in out and not local_installed():
        raise EvalSetError("--extractor local needs the local model: pip install '.[local-llm]'")
    return list(dict.fromkeys(out))


def service_extractor(name: str) -> ExtractFn:
    """The service's own pipeline for extractor ``name``."""
    from service.extract.pipeline import ExtractOptions, extract

    if name == "local":
        return LocalExtractor()

    def run(document: Any) -> Any:
        return extract(document, ExtractOptions(extractor=name))

    return run


class LocalExtractor:
    """``local``: the LLM extractor alone against the bundled local model, served by
    ``LocalServer`` for the length of the run (started on first use, stopped by ``close``).

    A 270M model on a CPU takes minutes per report, so this row covers the seed reports as
    plain text only (``applies``): it tracks the plumbing and the grounding night after
    night, not a competitive accuracy. Responses are cached like any endpoint's, so a night
    with nothing changed makes no calls."""

    formats = ("txt",)

    def __init__(self) -> None:
        self._server: Any = None

    def applies(self, item: Item) -> bool:
        return item.entry.source.kind == "seed" and item.format in self.formats

    def __call__(self, document: Any) -> Any:
        from service.config import get_settings
        from service.extract.llm.local import LocalServer
        from service.extract.pipeline import ExtractOptions, extract

        if self._server is None:
            self._server = LocalServer(get_settings().data_dir).start()
        return extract(document, ExtractOptions(extractor="llm", llm=self._server.settings))

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


def _unpack(result: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(export as JSON-ready dict, {status, errors, llm}) from whatever an extractor returned."""
    export = getattr(result, "export", result)
    if hasattr(export, "model_dump"):
        export = export.model_dump(mode="json")
    if not isinstance(export, dict):
        raise TypeError(f"an extractor returned {type(result).__name__}, not an export")
    status = getattr(result, "status", "success")
    errors = [str(getattr(e, "message", e)) for e in getattr(result, "errors", []) or []]
    usage = getattr(result, "usage", None) or getattr(result, "llm_usage", None)
    llm = {}
    if usage is not None:
        llm = {
            "calls": int(getattr(usage, "calls", 0) or 0),
            "prompt_tokens": int(getattr(usage, "prompt_tokens", 0) or 0),
            "completion_tokens": int(getattr(usage, "completion_tokens", 0) or 0),
            "cost": float(getattr(usage, "cost", 0.0) or 0.0),
        }
    return export, {"status": str(getattr(status, "value", status)), "errors": errors, "llm": llm}


# --- ingest ---------------------------------------------------------------------------------


class Ingestor:
    """Reads file bytes into Documents, with a cache keyed by the bytes and the reader code
    (an unchanged scan is not OCR'd again; a changed reader invalidates everything)."""

    def __init__(self, cache_dir: Path | None, use_cache: bool) -> None:
        self.cache_dir = cache_dir / "documents" if cache_dir and use_cache else None
        # the readers' code and the engines under them: a new OCR model is a new reading
        engines = "|".join(_version(p) for p in ("pymupdf", "rapidocr", "onnxruntime"))
        self._code = code_hash("ingest", "document") + engines if self.cache_dir else ""

    def read(self, data: bytes, filename: str) -> tuple[Any, bool]:
        from service.document import Document
        from service.ingest import read_document

        path = None
        if self.cache_dir is not None:
            key = hashlib.sha256(data + self._code.encode()).hexdigest()[:24]
            path = self.cache_dir / f"{key}.json"
            if path.is_file():
                return Document.model_validate_json(path.read_bytes()), True
        document = read_document(data, filename)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(document.model_dump_json(), encoding="utf-8")
            tmp.replace(path)
        return document, False


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "-"


# --- progress -------------------------------------------------------------------------------


class Progress:
    """A plain progress bar on stderr; one line per step when stderr is not a terminal."""

    def __init__(self, total: int, stream: TextIO, enabled: bool = True) -> None:
        self.total, self.stream, self.enabled = total, stream, enabled
        self.done = 0
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.start = time.monotonic()

    def step(self, label: str) -> None:
        if not self.enabled:
            return
        if self.tty:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            bar = "#" * filled + "." * (width - filled)
            elapsed = time.monotonic() - self.start
            self.stream.write(
                f"\r[{bar}] {self.done}/{self.total} {elapsed:5.0f}s  {label[:48]:<48}"
            )
        else:
            self.stream.write(f"eval {self.done + 1}/{self.total} {label}\n")
        self.stream.flush()

    def advance(self) -> None:
        self.done += 1

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


# --- the run --------------------------------------------------------------------------------


def git_commit() -> str | None:
    """HEAD's hash (``+dirty`` with uncommitted changes), else $GITHUB_SHA, else None."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return os.environ.get("GITHUB_SHA")
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO, capture_output=True, text=True, timeout=10,
        )  # fmt: skip
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return os.environ.get("GITHUB_SHA")


def _open_store(options: EvalOptions) -> RunStore:
    if not options.store:
        return MemoryRunStore()
    from service.config import get_settings

    settings = get_settings()
    url = options.database_url or settings.resolved_database_url
    return DatabaseRunStore(url, auto_migrate=settings.db.auto_migrate)


def _evaluate_item(
    item: Item,
    materializer: Materializer,
    ingestor: Ingestor,
    extractors: Mapping[str, ExtractFn],
    progress: Progress,
) -> list[DocResult]:
    """One document in one format through every extractor. A failure is scored as an
    empty extraction: it costs accuracy, it does not vanish from the figures."""
    label = materializer.label(item)
    families = materializer.families(item)
    held_out = materializer.held_out_families(item)
    results: list[DocResult] = []
    seconds: dict[str, float] = {}
    document = None
    error = None
    try:
        progress.step(f"{item.key} render")
        t0 = time.perf_counter()
        data = materializer.file_bytes(item)
        seconds["render"] = time.perf_counter() - t0
        progress.step(f"{item.key} ingest")
        t0 = time.perf_counter()
        document, cached = ingestor.read(data, item.filename)
        seconds["ingest_cached" if cached else "ingest"] = time.perf_counter() - t0
    except EvalSetError:
        raise
    except Exception as exc:  # a reader that crashes is a result, not the end of the run
        error = f"ingest: {type(exc).__name__}: {exc}"
    text = document.text if document is not None else None
    for name, extract in extractors.items():
        if not _applies(extract, item):
            continue  # an extractor scoped to part of the set (``local``)
        progress.step(f"{item.key} {name}")
        t0 = time.perf_counter()
        export: dict[str, Any] = {}
        info: dict[str, Any] = {"status": "failed", "errors": [error] if error else [], "llm": {}}
        if document is not None:
            try:
                export, info = _unpack(extract(document))
            except Exception as exc:
                info["errors"] = [f"extract: {type(exc).__name__}: {exc}"]
        took = {**seconds, "extract": time.perf_counter() - t0}
        extractor_info = export.get("extractor") or {}
        score = score_document(export, label, text)
        results.append(
            DocResult(
                item=item,
                extractor=name,
                score=score,
                status=info["status"],
                errors=info["errors"],
                seconds={k: round(v, 4) for k, v in took.items()},
                llm=info["llm"],
                model=extractor_info.get("model"),
                prompt_version=extractor_info.get("prompt_version"),
                families=families,
                held_out_families=held_out,
                steering=steer_document(export, label, score).as_dict(),
            )
        )
    progress.advance()
    return results


def _applies(extract: ExtractFn, item: Item) -> bool:
    applies = getattr(extract, "applies", None)
    return applies is None or bool(applies(item))


def run_eval(
    options: EvalOptions,
    extractors: Mapping[str, ExtractFn] | None = None,
    store: RunStore | None = None,
    stream: TextIO | None = None,
) -> EvalResult:
    """Run the evaluation. ``extractors`` (name → callable) replaces the service's pipeline,
    e.g. with a deliberately broken one in a test; ``store`` replaces the database."""
    from eval.report import build_report, write_reports

    stream = stream or sys.stderr
    started = time.perf_counter()
    manifest, set_dir = load_manifest(options.set_path)
    selected = list(items(manifest, set_dir, options.formats, options.only))
    if options.splits:
        selected = [i for i in selected if i.entry.split in options.splits]
    if not selected:
        raise EvalSetError("no documents selected (check --format/--only/--split)")
    if extractors is None:
        extractors = {
            name: service_extractor(name) for name in resolve_extractors(options.extractors)
        }
    # Documents no extractor applies to (``local`` alone covers the seeds as text) are skipped.
    selected = [i for i in selected if any(_applies(e, i) for e in extractors.values())]
    materializer = Materializer(options.cache_dir, options.use_cache)
    ingestor = Ingestor(options.cache_dir, options.use_cache)
    store = store or _open_store(options)

    progress = Progress(len(selected), stream, options.progress)
    results: list[DocResult] = []
    try:
        for item in selected:
            results += _evaluate_item(item, materializer, ingestor, extractors, progress)
    finally:
        progress.close()
        for extract in extractors.values():
            close = getattr(extract, "close", None)
            if close is not None:
                close()  # e.g. stop the local model's server

    commit = git_commit()
    dataset = manifest.name
    fingerprint = set_fingerprint(manifest)
    seconds = time.perf_counter() - started
    runs: dict[str, RunRecord] = {}
    comparisons: dict[str, Comparison] = {}
    options.out_dir.mkdir(parents=True, exist_ok=True)
    # Every run keeps its own copy of the reports (the run history links each run to its
    # own); out_dir/report.{html,json} is always the latest.
    archive = options.out_dir / "runs" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    # An extractor scoped away from every selected document has no run to record.
    names = [n for n in extractors if any(r.extractor == n for r in results)]
    for name in names:
        mine = [r for r in results if r.extractor == name]
        run = _run_record(name, mine, dataset, fingerprint, commit, seconds)
        run.report_path = str((archive / "report.html").resolve())
        previous = store.history(dataset, name, limit=1)
        comparisons[name] = compare_runs(previous[-1] if previous else None, run, options.threshold)
        runs[name] = store.add(run)
    history = {name: store.history(dataset, name, limit=60) for name in names}
    report = build_report(
        manifest=manifest,
        fingerprint=fingerprint,
        results=results,
        runs=runs,
        comparisons=comparisons,
        history=history,
        options=options,
        commit=commit,
        seconds=seconds,
    )
    write_reports(report, options.out_dir)
    write_reports(report, archive)
    return EvalResult(report, runs, comparisons, options.out_dir)


def _run_record(
    name: str,
    results: list[DocResult],
    dataset: str,
    fingerprint: str,
    commit: str | None,
    seconds: float,
) -> RunRecord:
    by_format: dict[str, list[DocScore]] = {}
    for r in results:
        by_format.setdefault(r.item.format, []).append(r.score)
    llm: dict[str, Any] = {}
    for r in results:
        for key, value in r.llm.items():
            llm[key] = llm.get(key, 0) + value
    models = sorted({r.model for r in results if r.model})
    prompts = sorted({r.prompt_version for r in results if r.prompt_version})
    return RunRecord(
        extractor=name,
        dataset=dataset,
        set_fingerprint=fingerprint,
        commit=commit,
        n_documents=len(results),
        summary=summarize(r.score for r in results),
        by_format={fmt: summarize(scores) for fmt, scores in sorted(by_format.items())},
        generalisation=generalisation(r.scored for r in results),
        model=", ".join(models) or None,
        prompt_version=", ".join(prompts) or None,
        llm=llm,
        seconds=sum(sum(r.seconds.values()) for r in results) or seconds,
        created_at=datetime.now(UTC),
    )


# --- the command ----------------------------------------------------------------------------


def options_from_args(args: argparse.Namespace) -> EvalOptions:
    """``jixiao eval``'s arguments (declared in service/cli.py; None = the default here)."""
    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    if not 0 <= threshold <= 1:
        raise EvalSetError(f"--threshold {threshold} is not between 0 and 1")
    return EvalOptions(
        set_path=args.set or DEFAULT_SET,
        out_dir=args.out or REPO / "eval" / "out",
        extractors=args.extractor or ["rules"],
        compare=args.compare,
        threshold=threshold,
        formats=args.formats,
        only=args.only,
        splits=getattr(args, "splits", None),
        use_cache=not args.no_cache,
        database_url=args.database_url,
        store=not args.no_store,
        progress=not args.quiet,
    )


def print_summary(result: EvalResult, compare: bool, out: TextIO) -> None:
    """The headline figures, and with ``compare`` the change against the previous run."""
    for name, run in result.runs.items():
        s = run.summary
        types = "  ".join(
            f"{k} {_pct(v['f1'])}" for k, v in s["record_types"].items() if v["f1"] is not None
        )
        out.write(
            f"{name}: F1 {_pct(s['overall']['f1'])}  numbers right {_pct(s['numeric']['accuracy'])}"
            f"  findings F1 {_pct(s['findings']['f1'])}  grounded {_pct(s['grounding']['share'])}"
            f"  ({run.n_documents} documents, {run.seconds:.0f} s)\n  {types}\n"
        )
        fmts = "  ".join(f"{k} {_pct(v['overall']['f1'])}" for k, v in run.by_format.items())
        out.write(f"  by format: {fmts}\n")
        rows = split_rows(run.generalisation)
        if rows:
            out.write("  by split (held-out is the figure that counts):\n")
            out.write("".join(f"{line}\n" for line in rows))
        if compare:
            _print_comparison(result.comparisons[name], out)
    out.write(f"report: {result.out_dir / 'report.html'}\n")


def _print_comparison(c: Comparison, out: TextIO) -> None:
    if c.previous_id is None:
        out.write("  compare: no previous run to compare with\n")
        return
    prev = f"run {c.previous_id} ({(c.previous_commit or '?')[:10]})"
    if not c.same_set:
        out.write(f"  compare: note: the set changed since {prev}\n")
    for key, (b, a) in sorted(c.regressions.items()):
        out.write(f"  REGRESSION {key}: F1 {_pct(b)} -> {_pct(a)}\n")
    for key, (b, a) in sorted(c.improvements.items()):
        out.write(f"  improved   {key}: F1 {_pct(b)} -> {_pct(a)}\n")
    verdict = "FAILED" if c.failed else "ok"
    out.write(f"  compare vs {prev}: {verdict} (threshold {c.threshold:.3f})\n")


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def main(args: argparse.Namespace) -> int:
    """Entry point of ``jixiao eval`` once arguments are parsed."""
    options = options_from_args(args)
    result = run_eval(options)
    print_summary(result, options.compare, sys.stdout)
    return 1 if options.compare and result.failed else 0


if __name__ == "__main__":  # pragma: no cover - `python -m eval.run` = `jixiao eval`
    from service.cli import main as jixiao

    sys.exit(jixiao(["eval", *sys.argv[1:]]))
