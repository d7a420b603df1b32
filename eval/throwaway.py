"""Throwaway servers for fault runs: a Redis and a PostgreSQL cluster of our own.

The fault runs restart Redis and stop PostgreSQL mid-batch. The machine's own servers are
shared with other people and programs, so the runs never touch them: ``ThrowawayRedis``
starts a ``redis-server`` on a free port (no persistence: a restart loses every message,
the harder case for the reconciler), ``ThrowawayPostgres`` makes a cluster with ``initdb``
in a temporary folder and runs it with ``pg_ctl`` on a free port (trust authentication,
loopback only). Both are stopped and removed by ``close``.

A missing binary raises ``MissingServerError`` with what to install: the callers (the
fault-run script, tests/jobs/test_faults.py) fail on it rather than skip.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# --no-sync: a throwaway cluster need not survive a power cut; UTF-8 whatever the
# machine's locale (the reports are Chinese)
_INITDB = ("-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")


class MissingServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f} s")


class ThrowawayRedis:
    """A ``redis-server`` of our own on a free port; ``restart`` loses every message."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise MissingServerError("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="jixiao-redis-"))
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> ThrowawayRedis:
        args = [self.binary or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        with (self.folder / "redis.log").open("ab") as log:  # the server keeps its own copy
            self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        _wait_for_port(self.port, 10, "redis-server")
        return self

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()  # without persistence nothing is written on the way out
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        self._proc = None

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_bin() -> Path:
    """The folder of ``initdb`` and ``pg_ctl`` (Debian keeps them off the PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    on_path = shutil.which("initdb")
    if found:
        return Path(found[0]).parent
    if on_path:
        return Path(on_path).parent
    raise MissingServerError(
        "initdb is not installed (the postgresql package ships it; apt-get install postgresql)"
    )


class ThrowawayPostgres:
    """A PostgreSQL cluster of our own in a temporary folder, on a free port.

    PostgreSQL refuses to run as root: as root the cluster belongs to the ``postgres``
    user and its commands run as that user."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="jixiao-pg-"))
        self.data = self.folder / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise MissingServerError("running as root needs runuser to start PostgreSQL")
            shutil.chown(self.folder, user="postgres")
            self._as = [runuser, "-u", "postgres", "--"]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        command = [*self._as, str(self.bin / args[0]), *args[1:]]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {(done.stderr or done.stdout).strip()[-800:]}")

    def start(self) -> ThrowawayPostgres:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), *_INITDB)
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")
        return self

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    def stop(self) -> None:
        """Fast shutdown: every client connection is cut, as when the server goes away."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        """A new database; returns its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already stopped, or never started
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- worker processes the benchmarks start and stop --------------------------------------


def start_worker(
    settings: Any, scratch: Path, extra_env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """A ``jixiao worker`` (one job at a time) in a process group of its own, with the
    settings' database, storage and broker, its own scratch folder and log beside it."""
    env = {
        **os.environ,
        "JIXIAO_DATA_DIR": str(scratch),
        "JIXIAO_DATABASE_URL": settings.resolved_database_url,
        "JIXIAO_STORAGE__PATH": str(settings.storage_dir),
        "JIXIAO_QUEUE__BROKER_URL": settings.queue.broker_url or "",
        "JIXIAO_QUEUE__PREFIX": settings.queue.prefix,
        **(extra_env or {}),
    }
    log = (scratch.parent / f"{scratch.name}.log").open("ab")
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "jixiao"), "worker", "--concurrency", "1"],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_groups(procs: list[subprocess.Popen[bytes]], grace: float = 30) -> None:
    """SIGTERM each process group (a worker and its job processes), then SIGKILL the ones
    still there after ``grace`` seconds."""
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
