"""The ``jixiao`` command.

Each subcommand is a small function registered in ``_build_parser``; they print results on
stdout and human notes on stderr. Input errors print one readable line and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from service.errors import InputError, JixiaoError


def _cmd_ingest(args: argparse.Namespace) -> int:
    from service.ingest import IngestOptions, read_path

    doc = read_path(args.file, IngestOptions(force_ocr=args.ocr))
    if args.format == "json":
        print(doc.model_dump_json(indent=2 if args.indent else None))
        return 0
    print(f"{doc.source.filename}  format={doc.source.format.value}  sha256={doc.source.sha256[:12]}")
    print(f"pages={len(doc.pages)}  chars={len(doc.text)}  lines={len(doc.lines)}  tables={len(doc.tables)}")
    for page in doc.pages:
        conf = f"  ocr_conf={page.ocr_confidence:.3f}" if page.ocr_confidence is not None else ""
        print(f"  page {page.number}: {page.text_source.value}, {len(page.span)} chars{conf}")
    for table in doc.tables:
        print(f"  table {table.index}: pages {table.pages}, {table.n_rows}x{table.n_cols}, {len(table.cells)} cells")
    for warning in doc.warnings:
        print(f"  warning: {warning}")
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
        print(f"jixiao: 找不到文件 File not found: {exc.filename}", file=sys.stderr)
        return 2
    except JixiaoError as exc:
        print(f"jixiao: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
