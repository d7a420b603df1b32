"""File storage: blobs named by their SHA-256, behind one small interface (``Storage``).

Two backends: ``FileStore``, a local folder (the default; a shared mount serves many
hosts), and ``service.store.s3.S3Store``, S3-compatible object storage. ``open_storage``
picks one from the settings; every caller goes through ``Storage``, so a worker on another
machine needs only the storage settings to reach what the API stored.

For the local folder: this module owns where bytes live on disk. No name given by a user ever reaches the filesystem: the
only names are hex digests we computed (checked again on every call) plus fixed suffixes
for derived artefacts (page images). Writes go to a temporary file first and are renamed
into place, so a crash never leaves half a file under a valid name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from service.config import Settings

_HEX64 = re.compile(r"[0-9a-f]{64}")
_SUFFIX = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


@runtime_checkable
class Storage(Protocol):
    """Content-addressed blobs, and derived artefacts (page images, the document model read
    from a file) keyed by their source's digest and a fixed suffix. Implementations pickle
    (the heavy part of a job opens the storage in a worker process)."""

    def put(self, data: bytes) -> str:
        """Store ``data``; returns its SHA-256. Storing the same bytes twice is a no-op."""
        ...

    def get(self, digest: str) -> bytes:
        """The bytes stored under ``digest``. Raises ``FileNotFoundError``."""
        ...

    def exists(self, digest: str) -> bool: ...

    def put_derived(self, digest: str, suffix: str, data: bytes) -> object: ...

    def get_derived(self, digest: str, suffix: str) -> bytes | None:
        """The derived artefact, or None when it was never stored."""
        ...

    def delete_derived(self, digest: str, prefix: str) -> int:
        """Delete the derived artefacts of ``digest`` whose suffix starts with ``prefix``
        (checked as a suffix is); returns how many. The blob itself is never deleted."""
        ...

    def local_path(self, digest: str) -> Path | None:
        """A file on this machine holding the blob (streamed as is), or None (object storage:
        read it with ``get``)."""
        ...

    def prepare(self) -> None:
        """Make the storage usable (create the folder); at start, once."""
        ...

    def check(self) -> str:
        """'ok' when blobs can be written now, else why not (for ``/readyz``)."""
        ...


def open_storage(settings: Settings) -> Storage:
    """The storage the settings name (``storage.backend``)."""
    if settings.storage.backend == "s3":
        from service.store.s3 import S3Store

        return S3Store.from_settings(settings.storage)
    return FileStore(settings.storage_dir)


def check_digest(digest: str, suffix: str | None = None) -> str:
    """The blob's name: a SHA-256 hex digest (checked), with an optional checked suffix."""
    if not _HEX64.fullmatch(digest):
        raise ValueError("not a SHA-256 hex digest")
    if suffix is None:
        return digest
    if not _SUFFIX.fullmatch(suffix) or ".." in suffix:
        raise ValueError(f"bad derived-file suffix {suffix!r}")
    return f"{digest}.{suffix}"


def private_dirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents readable by the owner only (uploaded
    reports are a department's accounts; other users of the machine must not read them)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir(mode=0o700, exist_ok=True)
        os.chmod(created, 0o700)  # mkdir's mode is cut by the umask


class FileStore:
    """Content-addressed blobs under ``root/ab/cd/<sha256>``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, data: bytes) -> str:
        """Store ``data``; returns its SHA-256. Storing the same bytes twice is a no-op."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            self._write(path, data)
        return digest

    def get(self, digest: str) -> bytes:
        """The bytes stored under ``digest``. Raises ``FileNotFoundError``."""
        return self._path(digest).read_bytes()

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()

    def path(self, digest: str) -> Path:
        """The file's path, for streaming responses (the name is ours, never the user's)."""
        return self._path(digest)

    def local_path(self, digest: str) -> Path | None:
        path = self._path(digest)
        return path if path.is_file() else None

    def prepare(self) -> None:
        private_dirs(self.root)

    def check(self) -> str:
        writable = self.root.is_dir() and os.access(self.root, os.W_OK)
        return "ok" if writable else f"not writable: {self.root.name}"

    # --- derived artefacts (page images, cached documents), keyed by a source digest ---

    def put_derived(self, digest: str, suffix: str, data: bytes) -> Path:
        path = self._path(digest, suffix)
        self._write(path, data)
        return path

    def get_derived(self, digest: str, suffix: str) -> bytes | None:
        path = self._path(digest, suffix)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def delete_derived(self, digest: str, prefix: str) -> int:
        first = self._path(digest, prefix)  # the checked name; a suffix has no glob characters
        deleted = 0
        for path in first.parent.glob(f"{first.name}*"):
            path.unlink(missing_ok=True)
            deleted += 1
        return deleted

    # --- internals ----------------------------------------------------------------------

    def _path(self, digest: str, suffix: str | None = None) -> Path:
        name = check_digest(digest, suffix)
        return self.root / digest[:2] / digest[2:4] / name

    def _write(self, path: Path, data: bytes) -> None:
        private_dirs(path.parent)
        # mkstemp creates the file readable by its owner only (0600), and os.replace keeps that
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
