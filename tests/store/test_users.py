"""Users in the store (both databases): passwords hashed with argon2, the lockout, the
last-admin rule, and the session epoch that a password change or a disable moves on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from service.store import users
from service.store.engine import make_engine, transaction
from service.store.tables import Role, User
from service.store.types import utcnow


@pytest.fixture
def engine(clean_database: str) -> Iterator[Engine]:
    engine = make_engine(clean_database)
    yield engine
    engine.dispose()


def _create(
    engine: Engine, login: str, name: str, role: Role, password: str = "正确的密码-123"
) -> int:
    with transaction(engine) as session:
        row = users.create_user(
            session, login=login, display_name=name, role=role, password=password
        )
        return int(row.id or 0)


def _row(engine: Engine, user_id: int) -> User:
    with transaction(engine) as session:
        return users.get_user(session, user_id)


def test_the_password_is_kept_as_an_argon2id_hash_only(engine: Engine) -> None:
    user_id = _create(engine, "  Wang.Li ", "王丽", Role.reviewer, "春天的预算表2026")
    row = _row(engine, user_id)
    assert row.login == "wang.li"  # logins are case-insensitive: kept lower-case
    assert row.password_hash.startswith("$argon2id$")
    assert "春天的预算表2026" not in row.password_hash
    assert users.verify_password(row.password_hash, "春天的预算表2026")
    assert not users.verify_password(row.password_hash, "春天的预算表2025")
    assert not users.verify_password("not a hash", "春天的预算表2026")
    # the same password hashes differently each time (a salt per hash)
    assert users.hash_password("春天的预算表2026") != users.hash_password("春天的预算表2026")


@pytest.mark.parametrize(
    ("login", "name", "password", "error"),
    [
        ("x", "李明", "long enough", users.BadLoginError),
        ("li ming", "李明", "long enough", users.BadLoginError),
        ("-liming", "李明", "long enough", users.BadLoginError),
        ("liming", "   ", "long enough", users.BadDisplayNameError),
        ("liming", "李" * 65, "long enough", users.BadDisplayNameError),
        ("liming", "李明", "short", users.WeakPasswordError),
        ("liming", "李明", " " * 12, users.WeakPasswordError),
    ],
)
def test_refuses_bad_details(
    engine: Engine, login: str, name: str, password: str, error: type[Exception]
) -> None:
    with pytest.raises(error), transaction(engine) as session:
        users.create_user(
            session, login=login, display_name=name, role="reviewer", password=password
        )


def test_login_and_display_name_are_unique(engine: Engine) -> None:
    _create(engine, "liming", "李明", Role.reviewer)
    for login, name in (("LiMing", "李明二"), ("liming2", "李明")):
        with pytest.raises(users.UserExistsError), transaction(engine) as session:
            users.create_user(
                session, login=login, display_name=name, role="reviewer", password="long enough"
            )


def _login(engine: Engine, login: str, password: str, now: object = None) -> users.LoginResult:
    with transaction(engine) as session:
        return users.authenticate(session, login, password, now=now)  # type: ignore[arg-type]


def test_login_checks_the_password_and_counts_failures(engine: Engine) -> None:
    user_id = _create(engine, "zhao", "赵会计", Role.uploader)
    assert _login(engine, "nobody", "正确的密码-123").outcome == "bad"
    assert _login(engine, "zhao", "错误的密码-123").outcome == "bad"
    assert _row(engine, user_id).failed_logins == 1
    ok = _login(engine, "ZHAO", "正确的密码-123")
    assert ok.outcome == "ok" and ok.user is not None and ok.user.display_name == "赵会计"
    row = _row(engine, user_id)
    assert row.failed_logins == 0 and row.last_login_at is not None


def test_lockout_after_repeated_failures_even_for_the_right_password(engine: Engine) -> None:
    user_id = _create(engine, "qian", "钱科长", Role.reviewer)
    start = utcnow()
    outcomes = [_login(engine, "qian", f"wrong-{i}-password", start).outcome for i in range(5)]
    assert outcomes == ["bad", "bad", "bad", "bad", "locked"]
    locked = _login(engine, "qian", "正确的密码-123", start + timedelta(minutes=1))
    assert locked.outcome == "locked"
    assert 13 * 60 <= locked.retry_after_s <= 14 * 60  # 15 minutes from the 5th failure
    # after the lock runs out the right password works again, and clears the count
    later = start + timedelta(minutes=users.LOCK_MINUTES, seconds=1)
    assert _login(engine, "qian", "正确的密码-123", later).outcome == "ok"
    assert _row(engine, user_id).failed_logins == 0


def test_each_failure_after_a_lock_doubles_it() -> None:
    assert users.lock_time(4) == timedelta(minutes=15)  # (not reached: no lock below 5)
    assert users.lock_time(5) == timedelta(minutes=15)
    assert users.lock_time(6) == timedelta(minutes=30)
    assert users.lock_time(7) == timedelta(minutes=60)
    assert users.lock_time(40) == timedelta(days=1)


def test_a_disabled_user_cannot_log_in(engine: Engine) -> None:
    _create(engine, "boss", "孙局长", Role.admin)
    user_id = _create(engine, "sun", "孙科员", Role.reviewer)
    with transaction(engine) as session:
        users.set_active(session, user_id, False)
    assert _login(engine, "sun", "正确的密码-123").outcome == "disabled"
    assert _login(engine, "sun", "错误的密码-123").outcome == "bad"  # nothing told to a guesser


def test_password_change_and_disable_move_the_session_epoch(engine: Engine) -> None:
    _create(engine, "boss", "孙局长", Role.admin)
    user_id = _create(engine, "zhou", "周审核", Role.reviewer)
    epochs = [_row(engine, user_id).session_epoch]
    with transaction(engine) as session:
        users.set_role(session, user_id, Role.uploader)  # a role needs no new epoch
    epochs.append(_row(engine, user_id).session_epoch)
    with transaction(engine) as session:
        users.set_password(session, user_id, "新的密码-456")
    epochs.append(_row(engine, user_id).session_epoch)
    with transaction(engine) as session:
        users.set_active(session, user_id, False)
    epochs.append(_row(engine, user_id).session_epoch)
    assert epochs == [0, 0, 1, 2]
    assert _row(engine, user_id).role == "uploader"
    with transaction(engine) as session:
        users.set_active(session, user_id, True)
    assert _login(engine, "zhou", "新的密码-456").outcome == "ok"
    assert _login(engine, "zhou", "正确的密码-123").outcome == "bad"


def test_the_last_active_admin_cannot_be_disabled_or_demoted(engine: Engine) -> None:
    first = _create(engine, "admin1", "吴管理", Role.admin)
    for change in (
        lambda s: users.set_active(s, first, False),
        lambda s: users.set_role(s, first, Role.reviewer),
    ):
        with pytest.raises(users.LastAdminError), transaction(engine) as session:
            change(session)
    assert _row(engine, first).active and _row(engine, first).role == "admin"
    second = _create(engine, "admin2", "郑管理", Role.admin)
    with transaction(engine) as session:  # with a second admin, the first may step down
        users.set_role(session, first, Role.reviewer)
    with pytest.raises(users.LastAdminError), transaction(engine) as session:
        users.set_active(session, second, False)
    # a disabled admin does not count as one
    with transaction(engine) as session:
        users.set_role(session, first, Role.admin)
        users.set_active(session, first, False)
    with pytest.raises(users.LastAdminError), transaction(engine) as session:
        users.set_role(session, second, Role.uploader)


def test_unknown_user_is_refused(engine: Engine) -> None:
    with pytest.raises(users.NoSuchUserError), transaction(engine) as session:
        users.set_password(session, 999, "long enough")
