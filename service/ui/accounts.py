"""Password login for the UI's login form: the check, its lockout answer, the session.

Owns turning a login form into a session cookie or into the refusal the login page shows
(wrong login or password, locked with the minutes left, disabled). The rules themselves
(hashing, lockout, who may log in) are ``service.store.users``'; the cookie is
``service.ui.auth``'s. Must not render pages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from service.store import users
from service.store.engine import read_session, transaction
from service.ui.auth import SessionCodec

_STATUS = {"bad": 401, "locked": 429, "disabled": 403}
log = logging.getLogger("jixiao.ui")


@dataclass(frozen=True)
class PasswordLogin:
    token: str | None  # the session cookie's value when the password was right
    outcome: users.Outcome
    retry_after_s: int = 0

    def refusal(self) -> dict[str, Any]:
        """What the login page shows instead: its message key, status and wait."""
        message = "bad_password" if self.outcome == "bad" else self.outcome
        minutes = max(1, -(-self.retry_after_s // 60))
        return {"message": message, "status": _STATUS[self.outcome], "minutes": minutes}


def password_login(engine: Engine, codec: SessionCodec, login: str, password: str) -> PasswordLogin:
    """Check the password and record the try (a failure counts towards the lockout, even
    though no session is made)."""
    with transaction(engine) as session:
        result = users.authenticate(session, login, password)
        if result.outcome != "ok" or result.user is None:
            if result.outcome == "locked":  # for the operator: someone keeps guessing
                log.warning("login %r locked for %d s", login[:64], result.retry_after_s)
            return PasswordLogin(None, result.outcome, result.retry_after_s)
        token, _ = codec.issue(result.user)
    return PasswordLogin(token, "ok")


def no_users(engine: Engine) -> bool:
    """No user exists yet: the login page says how to create the first admin."""
    with read_session(engine) as session:
        return users.count_users(session) == 0
