"""File storage: named by content, atomic, and no caller-chosen name reaches the disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from service.store.files import FileStore


def test_put_get_by_digest(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    digest = store.put(b"report bytes")
    assert digest == hashlib.sha256(b"report bytes").hexdigest()
    assert store.get(digest) == b"report bytes"
    assert store.path(digest) == tmp_path / digest[:2] / digest[2:4] / digest
    assert store.put(b"report bytes") == digest  # idempotent
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_derived_files(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    digest = store.put(b"x")
    store.put_derived(digest, "p1-110.png", b"png")
    assert store.get_derived(digest, "p1-110.png") == b"png"
    assert store.get_derived(digest, "p2-110.png") is None


@pytest.mark.parametrize(
    "digest", ["../../etc/passwd", "a" * 63, "A" * 64, "g" * 64, "/" + "a" * 63, ""]
)
def test_refuses_anything_but_a_hex_digest(tmp_path: Path, digest: str) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(ValueError):
        store.get(digest)
    with pytest.raises(ValueError):
        store.put_derived(digest, "x.png", b"")


@pytest.mark.parametrize("suffix", ["../x", "a/b", "..", "", "x" * 70, "A.png"])
def test_refuses_odd_suffixes(tmp_path: Path, suffix: str) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(ValueError):
        store.put_derived("a" * 64, suffix, b"")


def test_data_is_readable_by_its_owner_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Uploaded reports and the database: no other user of the machine may read them."""
    import stat

    from service.store.engine import make_engine

    root = tmp_path / "data" / "files"
    store = FileStore(root)
    digest = store.put("报告".encode())
    blob = store._path(digest)
    assert stat.S_IMODE(blob.stat().st_mode) == 0o600
    folder = blob.parent
    while folder != tmp_path:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        folder = folder.parent
    db = tmp_path / "db" / "jixiao.sqlite3"
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        conn.exec_driver_sql("create table t (x int)")
    engine.dispose()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
