"""``jixiao users``: create (password from stdin, never an argument), list, set-password;
and the first-start note of ``jixiao serve`` while no user exists."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from service import cli_users
from service.cli import main
from service.config import get_settings
from service.store import users
from service.store.engine import make_engine, transaction


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("JIXIAO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JIXIAO_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def _password_ok(login: str, password: str) -> str:
    engine = make_engine(get_settings().resolved_database_url)
    try:
        with transaction(engine) as session:
            return users.authenticate(session, login, password).outcome
    finally:
        engine.dispose()


def test_create_list_and_set_password(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "局里的密码-2026\n")
    argv = ["users", "create", "--login", "Chen", "--name", "陈处长", "--role", "admin"]
    assert main(argv) == 0
    assert capsys.readouterr().out.split("\t")[1:] == ["chen", "admin", "陈处长\n"]
    assert _password_ok("chen", "局里的密码-2026") == "ok"

    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.strip().split("\t") == ["1", "chen", "admin", "active", "陈处长"]

    _stdin(monkeypatch, "新的局里密码-2027\n")
    assert main(["users", "set-password", "--login", "chen"]) == 0
    assert _password_ok("chen", "新的局里密码-2027") == "ok"
    assert _password_ok("chen", "局里的密码-2026") == "bad"


def test_refusals_are_one_line_and_exit_2(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "short\n")
    assert main(["users", "create", "--login", "he", "--name", "何", "--role", "reviewer"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jixiao: ") and "8" in err and err.count("\n") == 1
    _stdin(monkeypatch, "long enough pw\n")
    assert main(["users", "set-password", "--login", "nobody"]) == 2
    with pytest.raises(SystemExit):  # a password is never an argument
        main(["users", "create", "--login", "he", "--name", "何", "--role", "x"])


def test_serve_says_how_to_create_the_first_admin(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        from service.store.migrate import upgrade

        upgrade(engine)
        state = SimpleNamespace(settings=settings, engine=engine)
        cli_users.announce_first_admin(state, "http://127.0.0.1:8000")
        note = capsys.readouterr().err
        assert "jixiao users create --login admin --name 管理员 --role admin" in note
        assert "http://127.0.0.1:8000/ui" in note
        with transaction(engine) as session:
            users.create_user(
                session, login="admin", display_name="管理员", role="admin", password="x" * 12
            )
        cli_users.announce_first_admin(state, "http://127.0.0.1:8000")
        assert capsys.readouterr().err == ""  # a user exists: nothing to say
    finally:
        engine.dispose()
