"""The API and a Celery worker as two hosts that share nothing but the network.

The test builds the hosts itself (it runs as root, as CI does): three network namespaces on
one bridge of their own, each with an address of a /24 no other run uses —

* ``services``: our own throwaway PostgreSQL cluster (initdb into a temporary folder), our
  own Redis and the S3 emulator (moto in server mode, as in tests/store/test_s3_storage.py),
  listening on that namespace's bridge address only;
* ``api``: ``jixiao serve``, with a hostname and a scratch folder of its own;
* ``worker``: ``jixiao worker``, with a hostname and a scratch folder of its own.

Both hosts get nothing but the database URL, the broker URL and the storage settings, so
the worker reads the upload only through object storage. The test process uploads over
HTTP from the root namespace. The machine's own PostgreSQL and Redis are never touched:
nothing here listens outside the namespaces, and the worker host cannot even reach them.
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.synth import Knobs, make_report, render

pytestmark = pytest.mark.slow  # about 30 s: three hosts, a database cluster, two services

BIN = Path(sys.executable).parent
ADMIN_KEY = "jx_two-hosts-admin-key-0123456789abcdefghijklmnop"
BUCKET = "jixiao-two-hosts"
PG_PORT, REDIS_PORT, S3_PORT, API_PORT = 5432, 6379, 9000, 8000
AWS = {
    "AWS_ACCESS_KEY_ID": "two-hosts-key",
    "AWS_SECRET_ACCESS_KEY": "two-hosts-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# a report the rules extractor reads whole (no planted hard cases): its truth is the check
REPORT = make_report(7, "hunan", Knobs())


# the Debian package of each program the test runs
PACKAGES = {
    "ip": "iproute2",
    "unshare": "util-linux",
    "setpriv": "util-linux",
    "redis-server": "redis-server",
    "moto_server": "the test extra (moto[server])",
}


def _tool(name: str, where: Path | None = None) -> str:
    """The program's path; a clear failure (never a skip) when it is missing."""
    path = shutil.which(name, path=str(where) if where else None)
    if path is None:
        pytest.fail(
            f"`{name}` is not installed ({PACKAGES.get(name, name)}): the two-hosts test "
            "needs it to build its hosts"
        )
    return path


def _postgres_bin() -> Path:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        pytest.fail("PostgreSQL's server programs are not installed (no pg_config)")
    out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


# --- the network --------------------------------------------------------------------------


@dataclass
class Network:
    """A bridge in the root namespace and one namespace per host, each on a veth pair."""

    token: str = field(default_factory=lambda: secrets.token_hex(3))
    subnet: int = 0  # 10.77.<subnet>.0/24
    made: list[str] = field(default_factory=list)

    HOSTS = {"services": 3, "api": 1, "worker": 2}  # the last octet of each host

    @property
    def bridge(self) -> str:
        return f"jxbr{self.token}"

    def ns(self, host: str) -> str:
        return f"jx{self.token}-{host}"

    def address(self, host: str) -> str:
        return f"10.77.{self.subnet}.{self.HOSTS[host]}"

    def on(self, host: str) -> list[str]:
        """The command prefix that runs a program on ``host``."""
        return ["ip", "netns", "exec", self.ns(host)]

    def create(self) -> None:
        _tool("ip")
        if os.geteuid() != 0:
            pytest.fail("the two-hosts test makes network namespaces: it must run as root")
        self._ip("link", "add", self.bridge, "type", "bridge")
        self.made.append(self.bridge)
        self._claim_subnet()
        self._ip("link", "set", self.bridge, "up")
        for host in self.HOSTS:
            ns, outer, inner = (
                self.ns(host),
                f"jx{self.token}{host[0]}0",
                f"jx{self.token}{host[0]}1",
            )
            self._ip("netns", "add", ns)
            self.made.append(ns)
            self._ip("link", "add", outer, "type", "veth", "peer", "name", inner)
            self._ip("link", "set", inner, "netns", ns)
            self._ip("link", "set", outer, "master", self.bridge, "up")
            self._ip("-n", ns, "addr", "add", f"{self.address(host)}/24", "dev", inner)
            self._ip("-n", ns, "link", "set", inner, "up")
            self._ip("-n", ns, "link", "set", "lo", "up")

    def _claim_subnet(self) -> None:
        """A 10.77.x.0/24 no other interface uses; a parallel run that took the same one at
        the same moment is seen (two bridges on one subnet) and another is drawn."""
        for _ in range(20):
            free = [n for n in range(256) if f"inet 10.77.{n}." not in _addresses()]
            self.subnet = random.choice(free)
            self._ip("addr", "add", f"10.77.{self.subnet}.254/24", "dev", self.bridge)
            if _addresses().count(f"inet 10.77.{self.subnet}.") == 1:
                return
            self._ip("addr", "del", f"10.77.{self.subnet}.254/24", "dev", self.bridge)
            time.sleep(random.random())
        raise AssertionError("no free 10.77.x.0/24 subnet for the test's hosts")

    def delete(self) -> None:
        """Namespaces first (their veth ends go with them), then the bridge."""
        for name in reversed(self.made):
            kind = "link" if name == self.bridge else "netns"
            subprocess.run(["ip", kind, "del", name], capture_output=True)
        self.made.clear()

    @staticmethod
    def _ip(*args: str) -> None:
        done = subprocess.run(["ip", *args], capture_output=True, text=True)
        if done.returncode:
            raise AssertionError(f"ip {' '.join(args)}: {done.stderr.strip()}")


def _addresses() -> str:
    """The IPv4 addresses of the root namespace, one interface a line."""
    return subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True).stdout


# --- processes ----------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    stop_signal: int = signal.SIGTERM

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2500:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, self.stop_signal)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without our settings or proxies, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JIXIAO_", "AWS_")) and "proxy" not in k.lower()
    }
    return {**env, **extra}


def _start(name: str, args: list[str], logs: Path, env: dict[str, str], **kw: Any) -> Service:
    log = logs / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kw
        )
    return Service(name, proc, log)


def _as_host(net: Network, host: str, hostname: str, program: list[str]) -> list[str]:
    """``program`` on ``host`` under a hostname of its own (a UTS namespace of its own, so
    the job rows name the host that ran them)."""
    script = 'hostname "$0" && exec "$@"'
    return [*net.on(host), "unshare", "--uts", "--", "sh", "-c", script, hostname, *program]


def _wait_port(address: str, port: int, service: Service, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as sock:
            sock.settimeout(1.0)
            if sock.connect_ex((address, port)) == 0:
                return
        if service.proc.poll() is not None:
            raise AssertionError(
                f"{service.name} exited ({service.proc.returncode}):\n{service.tail()}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{service.name} not listening after {timeout:.0f} s:\n{service.tail()}"
            )
        time.sleep(0.2)


def _postgres(net: Network, logs: Path, folder: Path) -> Service:
    """A throwaway cluster owned by the postgres user, trusting only this subnet."""
    bindir = _postgres_bin()
    data = folder / "pgdata"
    shutil.chown(folder, "postgres", "postgres")
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
    initdb += ["--no-sync", "-E", "UTF8", "--locale=C"]
    done = subprocess.run(initdb, user="postgres", cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all 10.77.{net.subnet}.0/24 trust\n")
    settings = {
        "listen_addresses": net.address("services"),
        "port": str(PG_PORT),
        "unix_socket_directories": str(folder),
        "fsync": "off",  # a throwaway cluster: speed over durability
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }
    program = [*net.on("services"), "setpriv", "--reuid=postgres", "--regid=postgres"]
    program += ["--init-groups", str(bindir / "postgres"), "-D", str(data)]
    program += [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
    service = _start("postgres", program, logs, _clean_env(), cwd=folder)
    service.stop_signal = signal.SIGINT  # fast shutdown
    return service


# --- the cluster --------------------------------------------------------------------------


@dataclass
class Cluster:
    net: Network
    api: Service
    worker: Service
    scratch: dict[str, Path]
    settings: dict[str, str]  # all the hosts share: the database, broker and storage

    @property
    def api_url(self) -> str:
        return f"http://{self.net.address('api')}:{API_PORT}"


def hostname(net: Network, host: str) -> str:
    return f"jx-{host}-{net.token}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    for program in ("unshare", "setpriv", "redis-server"):
        _tool(program)
    _tool("moto_server", BIN)
    net = Network()
    root = Path(tempfile.mkdtemp(prefix="jixiao-two-hosts-"))
    # beside ``root``, not in it: the postgres user must reach it, and ``root`` is 0700
    pg_folder = Path(tempfile.mkdtemp(prefix="jixiao-two-hosts-pg-"))
    logs = root / "logs"
    logs.mkdir()
    services: list[Service] = []
    try:
        net.create()
        services += _start_services(net, logs, pg_folder)
        at = net.address("services")
        settings = {
            "JIXIAO_DATABASE_URL": _create_database(at),
            "JIXIAO_QUEUE__BROKER_URL": f"redis://{at}:{REDIS_PORT}/0",
            "JIXIAO_STORAGE__BACKEND": "s3",
            "JIXIAO_STORAGE__BUCKET": BUCKET,
            "JIXIAO_STORAGE__ENDPOINT_URL": _create_bucket(f"http://{at}:{S3_PORT}"),
            **AWS,
        }
        scratch = {host: root / f"{host}-scratch" for host in ("api", "worker")}
        serve = ["serve", "--host", net.address("api"), "--port", str(API_PORT)]
        api = _start_host(net, "api", serve, logs, settings, scratch["api"])
        services.append(api)
        worker = _start_host(
            net, "worker", ["worker", "--concurrency", "1"], logs, settings, scratch["worker"]
        )
        services.append(worker)
        _wait_port(net.address("api"), API_PORT, api, timeout=90)
        yield Cluster(net, api, worker, scratch, settings)
    finally:
        for service in reversed(services):
            service.stop()
        for service in services:  # shown when a test failed
            print(f"--- {service.name} ---\n{service.tail()}")
        net.delete()
        for folder in (root, pg_folder):
            shutil.rmtree(folder, ignore_errors=True)


def _start_services(net: Network, logs: Path, pg_folder: Path) -> list[Service]:
    """Redis, the S3 emulator and PostgreSQL on the services host, listening."""
    at = net.address("services")
    redis = ["redis-server", "--bind", at, "--port", str(REDIS_PORT), "--save", ""]
    redis += ["--appendonly", "no", "--protected-mode", "no", "--dir", str(logs)]
    s3 = [str(BIN / "moto_server"), "-H", at, "-p", str(S3_PORT)]
    services = [
        _start("redis", [*net.on("services"), *redis], logs, _clean_env()),
        _start("s3", [*net.on("services"), *s3], logs, _clean_env()),
    ]
    try:
        services.append(_postgres(net, logs, pg_folder))
        for service, port in zip(services, (REDIS_PORT, S3_PORT, PG_PORT), strict=True):
            _wait_port(at, port, service)
    except BaseException:
        for service in services:
            service.stop()
        raise
    return services


def _start_host(
    net: Network, host: str, command: list[str], logs: Path, settings: dict[str, str], scratch: Path
) -> Service:
    """``jixiao <command>`` on ``host`` with nothing but ``settings`` and a scratch folder."""
    env = _clean_env(**settings, JIXIAO_DATA_DIR=str(scratch))
    program = [str(BIN / "jixiao"), *command]
    if host == "api":
        env["JIXIAO_AUTH__BOOTSTRAP_ADMIN_KEY"] = ADMIN_KEY
        program += ["--log-level", "warning"]
    return _start(host, _as_host(net, host, hostname(net, host), program), logs, env)


def _create_database(address: str) -> str:
    import psycopg

    with psycopg.connect(
        f"postgresql://postgres@{address}:{PG_PORT}/postgres", autocommit=True, connect_timeout=10
    ) as conn:
        conn.execute("CREATE DATABASE jixiao")
    return f"postgresql://postgres@{address}:{PG_PORT}/jixiao"


def _s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=AWS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS["AWS_SECRET_ACCESS_KEY"],
        region_name=AWS["AWS_DEFAULT_REGION"],
    )


def _create_bucket(endpoint: str) -> str:
    _s3_client(endpoint).create_bucket(Bucket=BUCKET)
    return endpoint


# --- the test -----------------------------------------------------------------------------


def _wait_ready(client: httpx.Client, cluster: Cluster, timeout: float = 90.0) -> dict[str, Any]:
    """/readyz until the API sees the broker and the worker on every queue."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get("/readyz")
        if answer.status_code == 200:
            checks: dict[str, Any] = answer.json()["checks"]
            return checks
        for service in (cluster.api, cluster.worker):
            if service.proc.poll() is not None:
                raise AssertionError(f"{service.name} exited:\n{service.tail()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"not ready after {timeout:.0f} s: {answer.text}")
        time.sleep(0.5)


def _wait_done(client: httpx.Client, document_id: str, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        doc: dict[str, Any] = client.get(f"/documents/{document_id}").json()
        if doc["status"] in ("done", "failed") or time.monotonic() > deadline:
            return doc
        time.sleep(0.3)


def _reachable_from(net: Network, host: str, address: str, port: int) -> bool:
    """Whether a TCP connection from ``host`` to ``address:port`` is accepted."""
    probe = (
        "import socket,sys; s=socket.socket(); s.settimeout(2); "
        f"sys.exit(s.connect_ex(({address!r}, {port})) != 0)"
    )
    done = subprocess.run([*net.on(host), sys.executable, "-c", probe], env=_clean_env())
    return done.returncode == 0


def _jobs(database_url: str) -> list[tuple[str, int, str]]:
    import psycopg

    with psycopg.connect(database_url, connect_timeout=10) as conn:
        rows = conn.execute("SELECT status, attempts, worker_id FROM jobs ORDER BY id").fetchall()
    return [(str(s), int(a), str(w)) for s, a, w in rows]


def _bucket_keys(endpoint: str) -> set[str]:
    listing = _s3_client(endpoint).list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listing.get("Contents", [])}


def test_an_upload_to_one_host_is_extracted_on_another(cluster: Cluster) -> None:
    truth = REPORT.truth
    pdf = render(REPORT.spec, "pdf")[0]
    headers = {"X-API-Key": ADMIN_KEY}
    with httpx.Client(
        base_url=cluster.api_url, headers=headers, trust_env=False, timeout=30
    ) as client:
        checks = _wait_ready(client, cluster)
        assert checks["storage"] == "ok" and checks["broker"] == "ok", checks
        assert checks["workers"] == {"answering": 1, "queues": {"ocr": 1, "extract": 1, "llm": 1}}
        answer = client.post("/documents", files={"files": ("report.pdf", pdf)})
        assert answer.status_code == 202, answer.text
        item = answer.json()["documents"][0]
        doc = _wait_done(client, item["id"])
        export = client.get(f"/documents/{item['id']}/extraction").json()
    assert doc["status"] == "done" and doc["extraction"]["extractor"] == "rules", doc
    assert doc["department"] == truth.report.department.value == "青岚县交通运输局"
    for name in ("total_income", "basic_expenditure", "project_expenditure"):
        value, expected = export["budget"][name], getattr(truth.budget, name)
        assert (value["value"], value["unit"]) == (expected.value, "万元"), (name, value)
    assert export["report"]["fiscal_year"]["value"] == truth.report.fiscal_year.value

    # the job ran on the worker host, once
    rows = _jobs(cluster.settings["JIXIAO_DATABASE_URL"])
    assert [(status, attempts) for status, attempts, _ in rows] == [("done", 1)]
    host, pid = rows[0][2].split(":")[:2]
    assert (host, int(pid)) == (hostname(cluster.net, "worker"), cluster.worker.proc.pid)

    # the upload and the document model the worker read from it are in the bucket only
    digest = item["sha256"]
    keys = _bucket_keys(cluster.settings["JIXIAO_STORAGE__ENDPOINT_URL"])
    stem = f"{digest[:2]}/{digest[2:4]}/{digest}"
    assert {stem, f"{stem}.document.json.gz"} <= keys
    for host, folder in cluster.scratch.items():
        local = [p.name for p in folder.rglob("*") if digest in p.name]
        assert local == [], f"{host} holds a local copy: {local}"


def test_the_worker_host_reaches_the_services_only_over_the_network(cluster: Cluster) -> None:
    """Negative: nothing listens on the worker host's own loopback (not the machine's
    PostgreSQL or Redis, not the API), while the services' address answers."""
    net = cluster.net
    for port in (PG_PORT, REDIS_PORT, API_PORT):
        assert not _reachable_from(net, "worker", "127.0.0.1", port), port
    for port in (PG_PORT, REDIS_PORT, S3_PORT):
        assert _reachable_from(net, "worker", net.address("services"), port), port
