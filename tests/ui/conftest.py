"""Fixtures of the reviewer UI tests: an app on SQLite, logged-in clients, a live server and
a headless Chromium (Debian's, driven by Playwright; never a downloaded browser).

The UI sits on the API, whose behaviour on both databases is pinned by tests/api; these
tests run on SQLite only and pin what the pages do.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.store.engine import make_engine
from service.store.migrate import upgrade
from tests.api.conftest import ADMIN_KEY, FakeExtractor, make_settings

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "_artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def sqlite_url(folder: Path) -> str:
    url = f"sqlite:///{folder / 'jixiao.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def eval_set_copy(folder: Path) -> Path:
    """A throwaway copy of the repository's evaluation set manifest (promotions go there)."""
    set_dir = folder / "evalset" / "set"
    set_dir.mkdir(parents=True)
    shutil.copyfile(REPO / "eval" / "set" / "manifest.json", set_dir / "manifest.json")
    return set_dir


def ui_settings(folder: Path, **overrides: Any) -> Settings:
    ui = {
        "eval_set_dir": eval_set_copy(folder),
        "eval_reports_dir": folder / "reports",
        **overrides.pop("ui", {}),
    }
    return make_settings(folder, sqlite_url(folder), ui=ui, **overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return ui_settings(tmp_path)


@pytest.fixture
def extractor() -> FakeExtractor:
    return FakeExtractor()


@pytest.fixture
def app(settings: Settings, extractor: FakeExtractor) -> FastAPI:
    return create_app(settings, extract=extractor)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def keys(client: TestClient) -> dict[str, str]:
    """A key of each role, in clear: ``keys['reviewer']``."""
    out = {"admin": ADMIN_KEY}
    for role in ("reviewer", "uploader"):
        r = client.post(
            "/keys", json={"name": f"{role} 张三", "role": role}, headers={"X-API-Key": ADMIN_KEY}
        )
        assert r.status_code == 201, r.text
        out[role] = r.json()["key"]
    return out


def login(client: TestClient, key: str, next_url: str = "/ui/documents") -> str:
    """Log ``client`` in with ``key``; returns the session's CSRF token (from a page)."""
    form = client.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    r = client.post(
        "/ui/login",
        data={"api_key": key, "csrf_token": token.group(1), "next": next_url},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get("/ui/documents")
    csrf = re.search(r'data-csrf="([^"]+)"', page.text)
    assert csrf, page.text
    return csrf.group(1)


# --- a live server and a browser ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The real app under uvicorn in a thread, on 127.0.0.1."""

    def __init__(self, app: FastAPI) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install chromium chromium-driver (.ci/run does)"
        )
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def browser_key_login(page: Any, key: str) -> None:
    """On the login page: log in with an API key (folded below the password form)."""
    page.locator("details.key-login summary").click()
    page.fill("#api_key", key)
    page.locator("form:has(#api_key) button[type=submit]").click()


def screenshot(page: Any, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
