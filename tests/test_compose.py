"""compose.yaml, read as data: every service the API and the workers name exists and is
wired to them with the same address, credentials and bucket.

Docker cannot run here (no image can be pulled), so the file is checked the way compose
reads it: YAML with its merge keys, then ``${NAME:-default}`` filled in from the
environment and ``$$`` left as one ``$`` for the container's shell.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from service.config import LLMSettings, Settings
from tests.conftest import REPO

_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """``value`` with compose's variables filled in (strings inside lists and maps too)."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def fill(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return env.get(match.group(1)) or match.group(2) or ""

    return _VARIABLE.sub(fill, value)


def load_compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "compose.yaml").read_text())
    return interpolate(data, env or {})  # type: ignore[no-any-return]


def is_setting(name: str) -> bool:
    """Whether ``JIXIAO_…`` names a field of ``Settings`` (a misspelt name is silently
    ignored by the settings, so a typo here would leave a default in force)."""
    if name.startswith("JIXIAO_LLM_") and not name.startswith("JIXIAO_LLM__"):
        return name.removeprefix("JIXIAO_LLM_").lower() in LLMSettings.model_fields
    model: Any = Settings
    for part in name.removeprefix("JIXIAO_").lower().split("__"):
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return False
        model = field.annotation  # a group's model, or a plain type ending the path
    return True


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the KEY=value form
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _listen_port(command: list[str], default: int) -> int:
    """The port a MinIO-style ``server … --address :PORT`` command listens on."""
    if "--address" in command:
        return int(command[command.index("--address") + 1].rsplit(":", 1)[1])
    return default


def storage_wiring_problems(compose: dict[str, Any]) -> list[str]:
    """What is wrong with how the api and worker services reach the object storage (empty
    when nothing is)."""
    services = compose["services"]
    problems = []
    for name in ("api", "worker"):
        env = _environment(services[name])
        problems += [
            f"{name}: {key} is no setting"
            for key in env
            if key.startswith("JIXIAO_") and not is_setting(key)
        ]
        if env.get("JIXIAO_STORAGE__BACKEND") != "s3":
            problems.append(f"{name}: storage backend is not s3")
            continue
        endpoint = urlsplit(env.get("JIXIAO_STORAGE__ENDPOINT_URL", ""))
        server = services.get(endpoint.hostname or "")
        if server is None:
            problems.append(f"{name}: no service {endpoint.hostname!r} for the endpoint")
            continue
        if endpoint.port != _listen_port(server.get("command") or [], 9000):
            problems.append(f"{name}: endpoint port {endpoint.port} is not the server's")
        server_env = _environment(server)
        credentials = (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"))
        if credentials != (
            server_env.get("MINIO_ROOT_USER"),
            server_env.get("MINIO_ROOT_PASSWORD"),
        ):
            problems.append(f"{name}: credentials differ from the server's")
        made = _bucket_made(services)
        if env.get("JIXIAO_STORAGE__BUCKET") != made:
            problems.append(
                f"{name}: bucket {env.get('JIXIAO_STORAGE__BUCKET')!r} is not "
                f"the one made ({made!r})"
            )
        waits = services[name].get("depends_on") or {}
        init = waits.get("minio-init") if isinstance(waits, dict) else None
        if (init or {}).get("condition") != "service_completed_successfully":
            problems.append(f"{name}: starts before the bucket is made")
    return problems


def _bucket_made(services: dict[str, Any]) -> str | None:
    """The bucket the minio-init service's ``mc mb`` makes, its variables filled in."""
    init = services.get("minio-init")
    if init is None:
        return None
    script = " ".join(init.get("command") or [])
    for key, value in _environment(init).items():
        script = script.replace(f"${key}", value)
    made = re.search(r"mc mb (?:--ignore-existing )?\"?[^/\s\"]+/([^\s\"]+)", script)
    return made.group(1) if made else None


# --- the file as it is ----------------------------------------------------------------------


def test_api_and_workers_reach_minio_with_its_credentials_and_bucket() -> None:
    compose = load_compose()
    assert storage_wiring_problems(compose) == []
    services = compose["services"]
    assert {"api", "worker", "redis", "postgres", "minio", "minio-init"} <= set(services)
    api = _environment(services["api"])
    assert api["JIXIAO_STORAGE__ENDPOINT_URL"] == "http://minio:9000"
    assert api["JIXIAO_STORAGE__BUCKET"] == _bucket_made(services) == "jixiao"
    assert services["minio-init"]["depends_on"]["minio"]["condition"] == "service_healthy"
    assert "healthcheck" in services["minio"]
    # workers share no folder: each has a scratch of its own, the bucket holds the uploads
    assert services["worker"]["volumes"] == []
    assert _environment(services["worker"]) == api


def test_the_operators_bucket_and_credentials_reach_every_side() -> None:
    env = {
        "JIXIAO_BUCKET": "reports-2026",
        "JIXIAO_S3_USER": "ops",
        "JIXIAO_S3_PASSWORD": "s3cret!",
    }
    compose = load_compose(env)
    assert storage_wiring_problems(compose) == []
    worker = _environment(compose["services"]["worker"])
    assert (worker["JIXIAO_STORAGE__BUCKET"], worker["AWS_ACCESS_KEY_ID"]) == (
        "reports-2026",
        "ops",
    )


def test_the_api_environment_builds_the_settings_it_means(monkeypatch: pytest.MonkeyPatch) -> None:
    env = _environment(load_compose()["services"]["api"])
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.storage.backend, settings.storage.bucket) == ("s3", "jixiao")
    assert settings.storage.endpoint_url == "http://minio:9000"
    assert settings.queue.broker_url == "redis://redis:6379/0"
    database = urlsplit(settings.resolved_database_url)
    postgres = _environment(load_compose()["services"]["postgres"])
    assert (database.hostname, database.username, database.password, database.path) == (
        "postgres",
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        "/" + postgres["POSTGRES_DB"],
    )


# --- the checks themselves notice a broken file ---------------------------------------------


def _broken(change: str) -> dict[str, Any]:
    compose = copy.deepcopy(load_compose())
    services = compose["services"]
    worker = services["worker"]["environment"]
    if change == "typo":
        worker["JIXIAO_STORAGE__BUKET"] = worker.pop("JIXIAO_STORAGE__BUCKET")
    elif change == "bucket":
        worker["JIXIAO_STORAGE__BUCKET"] = "other"
    elif change == "host":
        worker["JIXIAO_STORAGE__ENDPOINT_URL"] = "http://objects:9000"
    elif change == "port":
        worker["JIXIAO_STORAGE__ENDPOINT_URL"] = "http://minio:9001"
    elif change == "password":
        worker["AWS_SECRET_ACCESS_KEY"] = "guess"
    elif change == "local":
        worker["JIXIAO_STORAGE__BACKEND"] = "local"
    elif change == "no-wait":
        del services["worker"]["depends_on"]["minio-init"]
    return compose


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("typo", "worker: JIXIAO_STORAGE__BUKET is no setting"),
        ("bucket", "worker: bucket 'other' is not the one made ('jixiao')"),
        ("host", "worker: no service 'objects' for the endpoint"),
        ("port", "worker: endpoint port 9001 is not the server's"),
        ("password", "worker: credentials differ from the server's"),
        ("local", "worker: storage backend is not s3"),
        ("no-wait", "worker: starts before the bucket is made"),
    ],
)
def test_a_broken_wiring_is_named(change: str, problem: str) -> None:
    assert problem in storage_wiring_problems(_broken(change))
    assert not any(p.startswith("api:") for p in storage_wiring_problems(_broken(change)))


def test_setting_names_are_checked_against_the_settings() -> None:
    for name in ("JIXIAO_STORAGE__ENDPOINT_URL", "JIXIAO_DATABASE_URL", "JIXIAO_LLM_MODEL"):
        assert is_setting(name), name
    for name in (
        "JIXIAO_STORAGE__ENDPOINT",
        "JIXIAO_QUEUE__BROKER",
        "JIXIAO_LLM_MODELL",
        "JIXIAO_DATA_DIR__X",
    ):
        assert not is_setting(name), name
