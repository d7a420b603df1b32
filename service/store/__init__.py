"""Persistence: the database engine, tables, repositories, migrations and file storage.

Owns everything that is kept between requests. Depends on ``service.records`` (the export
shape corrections are validated against) and ``service.errors``; must not import the job
runner, the API or the UI.

* ``engine``      — SQLite (WAL) / PostgreSQL engines and sessions
* ``tables``      — the SQLModel tables
* ``migrate``     — Alembic, run from code (``migrations/`` ships inside the package)
* ``documents``   — documents, extraction versions, corrections, approvals
* ``corrections`` — the correction rules on the export JSON (pure functions)
* ``queue``       — the jobs table as a queue with leases
* ``keys``        — API keys (hashed)
* ``files``       — content-addressed file storage
"""
