"""The database fixtures of tests/api/conftest.py, for the store tests (both backends)."""

from tests.api.conftest import clean_database, database_url  # noqa: F401
