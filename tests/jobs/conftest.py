"""The database fixtures of tests/api/conftest.py, for the job tests (both backends)."""

from tests.api.conftest import (  # noqa: F401
    clean_database,
    database_url,
    extractor,
    settings,
)
