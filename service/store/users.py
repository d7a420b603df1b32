"""Users: the people who log into the UI with a password (API keys stay for integrations).

Owns how passwords are kept (argon2id through ``argon2.PasswordHasher``, never in clear),
what a login, a display name and a password must look like, the password check with its
lockout, and the rule that the last active admin can neither be disabled nor demoted.

Design:

* A user is disabled, never deleted: the audit log records their display name, which is
  unique, so it keeps naming one person.
* ``session_epoch`` moves on every password change and every disable. A session carries
  the epoch it was issued under (``service.ui.auth``), so those changes end every session
  at once; a role change needs no epoch, the role is read again on every request.
* Lockout: ``MAX_FAILURES`` wrong passwords in a row lock the account for ``LOCK_MINUTES``
  (even the right password is refused meanwhile); each further failure after a lock
  doubles it, up to a day. A login that matches no user still costs one hash, so the
  answer's timing does not tell which logins exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from service.errors import InputError
from service.store.tables import Role, User
from service.store.types import utcnow

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, 3 passes)
MAX_FAILURES = 5
LOCK_MINUTES = 15
MAX_LOCK = timedelta(days=1)
MIN_PASSWORD = 8
MAX_PASSWORD = 256
LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_DUMMY_HASH = HASHER.hash("not a password of anyone")


class UserInputError(InputError):
    code = "bad_user"
    message_zh = "用户信息不符合要求。"
    message_en = "The user's details are not acceptable."


class BadLoginError(UserInputError):
    code = "bad_login"
    message_zh = "登录名须为 2–64 位小写字母、数字或 . _ @ -，以字母或数字开头。"
    message_en = (
        "A login is 2–64 lower-case letters, digits or . _ @ -, starting with one of the first two."
    )


class BadDisplayNameError(UserInputError):
    code = "bad_display_name"
    message_zh = "姓名不能为空，最多 64 个字。"
    message_en = "A display name is 1–64 characters."


class WeakPasswordError(UserInputError):
    code = "weak_password"
    message_zh = f"密码至少 {MIN_PASSWORD} 位（最多 {MAX_PASSWORD} 位）。"
    message_en = f"A password has at least {MIN_PASSWORD} characters (at most {MAX_PASSWORD})."


class UserExistsError(UserInputError):
    code = "user_exists"
    message_zh = "登录名或姓名已被使用。"
    message_en = "That login or display name is already taken."


class NoSuchUserError(UserInputError):
    code = "no_such_user"
    message_zh = "没有这个用户。"
    message_en = "No such user."


class LastAdminError(UserInputError):
    code = "last_admin"
    message_zh = "这是最后一个启用的管理员，不能停用或降级（请先让另一位用户成为管理员）。"
    message_en = "This is the last active admin: make another user an admin first."


def normalize_login(login: str) -> str:
    return login.strip().lower()


def check_login(login: str) -> str:
    login = normalize_login(login)
    if not LOGIN_RE.match(login):
        raise BadLoginError(f"bad login {login[:70]!r}")
    return login


def check_display_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 64:
        raise BadDisplayNameError("a display name is 1-64 characters")
    return name


def check_password(password: str) -> str:
    if not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD) or not password.strip():
        raise WeakPasswordError(f"a password has {MIN_PASSWORD}-{MAX_PASSWORD} characters")
    return password


def hash_password(password: str) -> str:
    return HASHER.hash(check_password(password))


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- reading -----------------------------------------------------------------------------


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.id))).all())


def count_users(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(User)).one())


def get_user(session: Session, user_id: int, *, for_update: bool = False) -> User:
    row = session.get(User, user_id, with_for_update=for_update)
    if row is None:
        raise NoSuchUserError(f"no user {user_id}")
    return row


def find_by_login(session: Session, login: str) -> User | None:
    login = normalize_login(login)
    if not login or len(login) > 64:
        return None
    return session.exec(select(User).where(User.login == login)).first()


# --- writing -----------------------------------------------------------------------------


def create_user(
    session: Session, *, login: str, display_name: str, role: Role | str, password: str
) -> User:
    login, display_name = check_login(login), check_display_name(display_name)
    role = Role(role)
    taken = session.exec(
        select(User.id).where((User.login == login) | (User.display_name == display_name))
    ).first()
    if taken is not None:
        raise UserExistsError(f"login {login!r} or name {display_name!r} is taken")
    row = User(
        login=login,
        display_name=display_name,
        role=role.value,
        password_hash=hash_password(password),
    )
    session.add(row)
    session.flush()
    return row


def set_password(session: Session, user_id: int, password: str) -> User:
    """A new password; every session of the user ends, a lockout is lifted."""
    row = get_user(session, user_id, for_update=True)
    row.password_hash = hash_password(password)
    row.session_epoch += 1
    row.failed_logins, row.locked_until = 0, None
    session.add(row)
    return row


def set_active(session: Session, user_id: int, active: bool) -> User:
    """Enable or disable a user; disabling ends their sessions at once."""
    _lock_admins(session)
    row = get_user(session, user_id, for_update=True)
    if row.active and not active:
        _keep_an_admin(session, row)
        row.session_epoch += 1
    row.active = active
    if active:
        row.failed_logins, row.locked_until = 0, None
    session.add(row)
    return row


def set_role(session: Session, user_id: int, role: Role | str) -> User:
    role = Role(role)
    _lock_admins(session)
    row = get_user(session, user_id, for_update=True)
    if role != Role.admin:
        _keep_an_admin(session, row)
    row.role = role.value
    session.add(row)
    return row


def _lock_admins(session: Session) -> None:
    """Lock the active admins' rows (PostgreSQL) so two admins demoting each other at once
    cannot both pass the last-admin check; SQLite serialises writers anyway."""
    session.exec(select(User.id).where(*_active_admin()).with_for_update()).all()


def _active_admin() -> tuple[object, ...]:
    return (User.role == Role.admin.value, col(User.active).is_(True))


def _keep_an_admin(session: Session, row: User) -> None:
    if row.role != Role.admin.value or not row.active:
        return
    others = session.exec(
        select(func.count()).select_from(User).where(*_active_admin(), User.id != row.id)
    ).one()
    if int(others) == 0:
        raise LastAdminError(f"user {row.id} is the last active admin")


# --- logging in ----------------------------------------------------------------------------

Outcome = Literal["ok", "bad", "locked", "disabled"]


@dataclass(frozen=True)
class LoginResult:
    outcome: Outcome
    user: User | None = None
    retry_after_s: int = 0  # locked: seconds until the next try is accepted


def authenticate(
    session: Session, login: str, password: str, now: datetime | None = None
) -> LoginResult:
    """Check a password and record the outcome on the user (the caller commits)."""
    now = now or utcnow()
    row = find_by_login(session, login)
    if row is None or len(password) > MAX_PASSWORD:
        verify_password(_DUMMY_HASH, password[:MAX_PASSWORD])  # same cost as a real check
        return LoginResult("bad")
    if row.locked_until is not None and row.locked_until > now:
        return LoginResult("locked", retry_after_s=_seconds(row.locked_until - now))
    if not verify_password(row.password_hash, password):
        row.failed_logins += 1
        if row.failed_logins >= MAX_FAILURES:
            row.locked_until = now + lock_time(row.failed_logins)
        session.add(row)
        if row.locked_until is not None and row.locked_until > now:
            return LoginResult("locked", retry_after_s=_seconds(row.locked_until - now))
        return LoginResult("bad")
    if not row.active:  # told only to someone who knows the password
        return LoginResult("disabled")
    if HASHER.check_needs_rehash(row.password_hash):  # parameters raised since
        row.password_hash = HASHER.hash(password)
    row.failed_logins, row.locked_until, row.last_login_at = 0, None, now
    session.add(row)
    return LoginResult("ok", user=row)


def lock_time(failures: int) -> timedelta:
    """How long the ``failures``-th wrong password in a row locks the account."""
    doublings = max(0, failures - MAX_FAILURES)
    return min(MAX_LOCK, timedelta(minutes=LOCK_MINUTES) * (2 ** min(doublings, 10)))


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))
