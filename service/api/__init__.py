"""The HTTP API: dependencies, the error shape, and one router module per resource.

Owns translating HTTP to the jobs and store layers and back. ``deps`` (sessions, settings,
who is calling), ``errors`` (the one JSON error shape), ``schemas`` (bodies), ``sheets``
(XLSX/CSV layout), ``routes/`` (health, documents, records, exports, keys). Must not be
imported by ingest, extract, store or jobs.
"""
