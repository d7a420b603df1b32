"""The ``jixiao`` command.

Each subcommand is a small function registered in ``_build_parser``; they print results on
stdout and human notes on stderr. Input errors print one readable line and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from service import cli_users
from service.errors import InputError, JixiaoError

if TYPE_CHECKING:
    from service.document import Document
    from service.ingest import IngestOptions


def _cmd_ingest(args: argparse.Namespace) -> int:
    from service.config import get_settings
    from service.ingest import IngestOptions, read_path

    settings = get_settings()
    options = IngestOptions(
        limits=settings.limits, ocr=settings.ocr, force_ocr=args.ocr, convert=settings.convert
    )
    doc = read_path(args.file, options)
    if args.format == "json":
        print(doc.model_dump_json(indent=2 if args.indent else None))
        return 0
    print(
        f"{doc.source.filename}  format={doc.source.format.value}  sha256={doc.source.sha256[:12]}"
    )
    print(
        f"pages={len(doc.pages)}  chars={len(doc.text)}  lines={len(doc.lines)}  tables={len(doc.tables)}"
    )
    for part in doc.files:  # a report in several files
        pages = f"{part.pages[0]}-{part.pages[-1]}" if part.pages else "none"
        print(
            f"  file {part.index + 1}: {part.filename}  format={part.format.value}  pages {pages}"
        )
    for page in doc.pages:
        conf = f"  ocr_conf={page.ocr_confidence:.3f}" if page.ocr_confidence is not None else ""
        print(f"  page {page.number}: {page.text_source.value}, {len(page.span)} chars{conf}")
    for table in doc.tables:
        print(
            f"  table {table.index}: pages {table.pages}, {table.n_rows}x{table.n_cols}, {len(table.cells)} cells"
        )
    for warning in doc.warnings:
        print(f"  warning: {warning}")
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from service.config import get_settings
    from service.extract.pipeline import ExtractOptions, LLMUnavailableError, extract
    from service.ingest import IngestOptions

    settings = get_settings()
    ingest_options = IngestOptions(
        limits=settings.limits, ocr=settings.ocr, convert=settings.convert
    )
    llm = settings.llm.model_copy(update={"cache_enabled": False}) if args.no_llm_cache else None
    options = ExtractOptions(
        extractor=args.extractor, llm=llm or settings.llm, data_dir=settings.data_dir
    )
    batch = args.out or args.xlsx or args.csv or len(args.files) > 1 or args.files[0].is_dir()
    if batch and not args.bundle:
        return _extract_batch(args, ingest_options, options)
    doc = (
        _read_bundle(args.files, ingest_options)
        if args.bundle
        else _read_one(args.files[0], ingest_options)
    )
    try:
        result = extract(doc, options)
    except LLMUnavailableError as exc:  # asked for the LLM and none is configured
        print(f"jixiao: {exc.message}", file=sys.stderr)
        return 2
    if args.format == "table":
        from service.records.text_table import render_table

        print(render_table(result.export), end="")
    else:
        print(result.export.model_dump_json(indent=2 if args.indent else None))
    # Notes carry the one-line LLM usage summary (calls, tokens, retries, cache, cost).
    for note in result.notes:
        print(f"jixiao: {note}", file=sys.stderr)
    for error in result.errors:
        print(f"jixiao: {error.stage}: {error.message}", file=sys.stderr)
    return 1 if result.status == "failed" else 0


def _read_one(path: Path, options: IngestOptions) -> Document:
    """Read one file; a scan shows its pages done on stderr as they are OCR'd."""
    from service.ingest import read_document
    from service.ingest.pdf_pages import first_pages_scanned, read_with_progress

    data = path.read_bytes()
    if not (path.suffix.lower() == ".pdf" and first_pages_scanned(data, options)):
        return read_document(data, path.name, options)
    tty = sys.stderr.isatty()  # a terminal: one line rewritten; a log: a line per page
    start = "\r" if tty else ""

    def show(done: int, total: int) -> None:
        end = "\n" if done == total or not tty else ""
        print(f"{start}jixiao: OCR {done}/{total} 页", end=end, file=sys.stderr, flush=True)

    return read_with_progress(data, path.name, options, show)


def _extract_batch(args: argparse.Namespace, ingest_options: object, options: object) -> int:
    """Many files or folders: one JSON each into --out, one XLSX/CSV across them."""
    from service.cli_batch import BatchOptions, default_jobs, expand_inputs, run_batch
    from service.extract.llm import configured_settings
    from service.extract.pipeline import LLMUnavailableError

    if not (args.out or args.xlsx or args.csv):
        _say("多个文件需指定 --out、--xlsx 或 --csv。 Several files need --out, --xlsx or --csv.")
        return 2
    if args.jobs is not None and args.jobs < 1:
        _say("-j 至少为 1。 -j must be at least 1.")
        return 2
    if args.extractor == "llm" and configured_settings(options.llm) is None:  # type: ignore[attr-defined]
        _say(LLMUnavailableError("set JIXIAO_LLM_BASE_URL and JIXIAO_LLM_MODEL").message)
        return 2
    files = expand_inputs(args.files)
    if not files:
        _say("没有可读的文件。 No files found in the folders given.")
        return 2
    jobs = args.jobs or default_jobs(len(files))
    batch = BatchOptions(files, jobs, args.out, args.xlsx, args.csv, indent=args.indent)
    return run_batch(batch, ingest_options, options)


def _read_bundle(paths: list[Path], options: IngestOptions) -> Document:
    """The files (folders walked) as one report: packed as an upload with bundle=true is."""
    from service.cli_batch import expand_inputs
    from service.ingest import read_document
    from service.ingest.bundle import bundle_name, pack_bundle

    files = expand_inputs(paths)
    packed = pack_bundle([(f.name, f.read_bytes()) for f in files])
    return read_document(packed, bundle_name([f.name for f in files]), options)


def _say(message: str) -> None:
    print(f"jixiao: {message}", file=sys.stderr)


def _cmd_llm(args: argparse.Namespace) -> int:
    from service.config import get_settings
    from service.extract.llm.local import LOCAL_ALIAS, serve_local

    url = f"http://{args.host}:{args.port}/v1"
    print(
        f"jixiao: serving on {url}; point the service at it with\n"
        f"  JIXIAO_LLM_BASE_URL={url} JIXIAO_LLM_MODEL={LOCAL_ALIAS} JIXIAO_LLM_PROVIDER=llamacpp",
        file=sys.stderr,
    )
    serve_local(args.model, get_settings().data_dir, args.host, args.port, args.threads, args.ctx)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    # eval/ sits beside service/ in a source checkout and is not part of the installed
    # package; it is loaded from there, here and only here (service never imports eval).
    import importlib
    import importlib.util

    from service.errors import ConfigError

    if "eval" not in sys.modules:
        init = Path(__file__).resolve().parents[1] / "eval" / "__init__.py"
        spec = importlib.util.spec_from_file_location(
            "eval", init, submodule_search_locations=[str(init.parent)]
        )
        if not init.is_file() or spec is None or spec.loader is None:
            raise ConfigError("`jixiao eval` needs a source checkout (eval/ beside service/)")
        sys.modules["eval"] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return importlib.import_module("eval.run").main(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.api.http import JsonErrorsH11Protocol
    from service.app import create_app, prepare
    from service.config import get_settings

    app = create_app(get_settings())
    # schema and first key now, so a bad configuration is one clear line, not a traceback
    prepare(app.state.jixiao, base_url=f"http://{args.host}:{args.port}")
    cli_users.announce_first_admin(app.state.jixiao, f"http://{args.host}:{args.port}")
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        http=JsonErrorsH11Protocol,  # an unreadable request gets the JSON error too
    )
    return 0


def _cmd_keys(args: argparse.Namespace) -> int:
    from service.config import get_settings
    from service.store import keys
    from service.store.engine import make_engine, transaction
    from service.store.migrate import ensure_schema

    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        ensure_schema(engine, auto_migrate=settings.db.auto_migrate)
        with transaction(engine) as session:
            if args.keys_command == "create":
                _, key = keys.create_key(session, name=args.name or args.role, role=args.role)
                print(key)
            elif args.keys_command == "revoke":
                if keys.revoke_key(session, args.id) is None:
                    print(f"jixiao: no key {args.id}", file=sys.stderr)
                    return 2
            else:
                for row in keys.list_keys(session):
                    state = "revoked" if row.revoked_at else "active"
                    print(f"{row.id}\t{row.role}\t{row.prefix}…\t{state}\t{row.name}")
    finally:
        engine.dispose()
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from service.config import get_settings
    from service.store.engine import make_engine
    from service.store.migrate import current_revision, head_revision, upgrade

    engine = make_engine(get_settings().resolved_database_url)
    try:
        if args.db_command == "upgrade":
            upgrade(engine)
        print(f"schema {current_revision(engine) or 'empty'} (newest {head_revision()})")
    finally:
        engine.dispose()
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    import signal
    import threading

    from service.app import build_state, prepare
    from service.config import get_settings
    from service.jobs.runner import EmbeddedRunner

    settings = get_settings()
    if settings.queue.broker_url:  # scale-out: a Celery worker on the chosen queues
        from service.jobs.celery_app import run_worker

        try:
            run_worker(settings, args.queues, args.concurrency)
        except ValueError as exc:  # an unknown queue name
            print(f"jixiao worker: {exc}", file=sys.stderr)
            return 2
        return 0
    state = build_state(settings)
    prepare(state)
    runner = EmbeddedRunner(state.jobs, name="worker")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    runner.start()
    print(f"jixiao worker: {state.settings.workers.count} threads; Ctrl-C stops", file=sys.stderr)
    stop.wait()
    runner.stop()
    return 0


def _cmd_reconcile(args: argparse.Namespace) -> int:
    import time

    from service.config import get_settings
    from service.jobs.celery_app import make_celery, worker_context
    from service.jobs.reconcile import reconcile

    settings = get_settings()
    if not settings.queue.broker_url:
        print("jixiao reconcile: no broker configured (JIXIAO_QUEUE__BROKER_URL)", file=sys.stderr)
        return 2
    ctx, app = worker_context(settings), make_celery(settings)
    while True:
        print(reconcile(ctx, app).summary(), flush=True)
        if not args.every:
            return 0
        time.sleep(args.every)


def _cmd_synth(args: argparse.Namespace) -> int:
    from service.synth.batch import parse_formats, write_set

    try:
        formats = parse_formats(args.formats)
    except ValueError as exc:
        print(f"jixiao synth: {exc}", file=sys.stderr)
        return 2
    manifest = write_set(
        args.out,
        args.count,
        args.seed,
        formats,
        include_seeds=args.seeds,
        progress=lambda name: print(f"  {name}", file=sys.stderr),
    )
    print(f"{len(manifest['documents'])} documents in {args.out} (manifest.json)")
    return 0


Command = Callable[[argparse.Namespace], int]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jixiao", description="Read 部门整体支出绩效自评报告 into typed, grounded data."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="read one file and print its document model")
    p.add_argument("file", type=Path)
    p.add_argument("--format", choices=["json", "summary"], default="summary")
    p.add_argument("--indent", action="store_true", help="pretty-print the JSON")
    p.add_argument("--ocr", action="store_true", help="OCR every PDF page, ignoring its text layer")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser(
        "extract",
        help="extract records: one file (JSON on stdout), or many files and folders "
        "(--out DIR, --xlsx FILE, --csv FILE)",
    )
    p.add_argument("files", type=Path, nargs="+", metavar="FILE_OR_DIR")
    p.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="worker processes (default: one per core)"
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="write one JSON per document here")
    p.add_argument("--xlsx", type=Path, metavar="FILE", help="one XLSX across the documents")
    p.add_argument("--csv", type=Path, metavar="FILE", help="one CSV (every value a line)")
    p.add_argument("--extractor", choices=["rules", "llm", "auto"], default="auto")
    p.add_argument("--format", choices=["json", "table"], default="json")
    p.add_argument("--indent", action="store_true", help="pretty-print the JSON")
    p.add_argument("--no-llm-cache", action="store_true", help="ask the LLM again")
    p.add_argument(
        "--bundle",
        action="store_true",
        help="the files are one report (作为一份报告): the report and its 自评表/基础数据表, "
        "read as one document and checked across files",
    )
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("llm", help="LLM helpers (the local model)")
    llm_sub = p.add_subparsers(dest="llm_command", required=True)
    q = llm_sub.add_parser(
        "serve-local", help="serve a GGUF model on loopback (needs the local-llm extra)"
    )
    q.add_argument("--model", type=Path, help="GGUF file (default: the bundled Gemma 3 270M)")
    q.add_argument("--host", default="127.0.0.1")
    q.add_argument("--port", type=int, default=8080)
    q.add_argument("--threads", type=int, help="CPU threads (default: all)")
    q.add_argument("--ctx", type=int, default=8192, help="context length, tokens")
    q.set_defaults(func=_cmd_llm)

    p = sub.add_parser("eval", help="score extraction against the evaluation set (eval/)")
    p.add_argument(
        "--extractor",
        action="append",
        choices=["rules", "llm", "auto", "local", "all"],
        help="rules (default), llm, auto, local (the bundled local model, seeds as text), or "
        "all; repeat to compare side by side",
    )
    p.add_argument("--set", type=Path, help="set manifest (default eval/set/manifest.json)")
    p.add_argument("--out", type=Path, help="report folder (default eval/out)")
    p.add_argument(
        "--compare",
        action="store_true",
        help="exit 1 if a field's F1 dropped more than --threshold since the last run",
    )
    p.add_argument("--threshold", type=float, help="largest allowed F1 drop (default 0.02)")
    p.add_argument("--format", action="append", dest="formats", help="only this input format")
    p.add_argument("--only", action="append", help="only documents whose id starts so")
    p.add_argument(
        "--split",
        action="append",
        dest="splits",
        choices=["heldout", "tuning", "seeds"],
        help="only this split (held-out: the figure that counts; never tune to it)",
    )
    p.add_argument("--no-cache", action="store_true", help="re-render and re-read everything")
    p.add_argument("--no-store", action="store_true", help="do not record this run")
    p.add_argument("--database-url", help="where runs are kept (default: the service's)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("serve", help="run the HTTP service (and its job runner)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("keys", help="manage API keys (create prints the key once)")
    keys_sub = p.add_subparsers(dest="keys_command", required=True)
    k = keys_sub.add_parser("create", help="create a key and print it")
    k.add_argument("--role", required=True, choices=["uploader", "reviewer", "admin"])
    k.add_argument("--name", help="who or what uses the key (default: the role)")
    keys_sub.add_parser("list", help="list keys (never the keys themselves)")
    k = keys_sub.add_parser("revoke", help="revoke a key by id")
    k.add_argument("id", type=int)
    p.set_defaults(func=_cmd_keys)

    cli_users.add_parser(sub)

    p = sub.add_parser("db", help="database schema: show or upgrade")
    p.add_argument("db_command", choices=["current", "upgrade"])
    p.set_defaults(func=_cmd_db)

    p = sub.add_parser("worker", help="run jobs without the HTTP service (scale-out)")
    p.add_argument(
        "--queues",
        type=lambda text: [q.strip() for q in text.split(",") if q.strip()],
        help="with a broker: the queues to take jobs from, e.g. ocr or extract,llm "
        "(default: all three)",
    )
    p.add_argument("--concurrency", type=int, help="with a broker: jobs at once (default: cores)")
    p.set_defaults(func=_cmd_worker)

    p = sub.add_parser(
        "reconcile", help="with a broker: send the queued jobs it lost (after a flush/restart)"
    )
    p.add_argument("--every", type=float, metavar="S", help="repeat every S seconds")
    p.set_defaults(func=_cmd_reconcile)

    p = sub.add_parser("synth", help="render synthetic reports (and the seeds) with their truth")
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.add_argument("--count", type=int, default=6, help="synthetic reports (default 6)")
    p.add_argument("--seed", type=int, default=0, help="seed of the first report")
    p.add_argument("--formats", default="pdf,scan,docx,txt,png", help="comma-separated")
    p.add_argument("--seeds", action="store_true", help="also render the seed reports")
    p.set_defaults(func=_cmd_synth)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except InputError as exc:
        print(f"jixiao: {exc.message}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        what = exc.filename if exc.filename is not None else exc
        print(f"jixiao: 找不到文件 File not found: {what}", file=sys.stderr)
        return 2
    except JixiaoError as exc:
        print(f"jixiao: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
