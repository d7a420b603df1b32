"""Ingest: turn uploaded bytes into a grounded ``Document``.

One reader per format (``pdf``, ``image``, ``docx``, ``text``; ``html`` for web pages,
``sheets`` for .xlsx/.xls workbooks, ``ofd`` for OFD — docs/formats.md), chosen by content
sniffing.
Owns limits checks and the typed input errors; must not touch the database or the web.
"""

from service.ingest.reader import IngestOptions, read_document, read_path

__all__ = ["IngestOptions", "read_document", "read_path"]
