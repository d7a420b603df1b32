"""``jixiao users``: the people who log into the UI with a password, from the command line.

Owns ``users create`` (the password is asked twice on a terminal, or read as the first line
of stdin, never taken as an argument where the shell history and ``ps`` would keep it),
``users list`` and ``users set-password`` (an admin locked out of the page), and the note
``jixiao serve`` prints while no user exists. The rules are ``service.store.users``'.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any, TextIO

ROLES = ["uploader", "reviewer", "admin"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("users", help="manage UI users (login name, display name, role)")
    users_sub = p.add_subparsers(dest="users_command", required=True)
    u = users_sub.add_parser(
        "create", help="create a user; the password is asked for (or read from stdin)"
    )
    u.add_argument("--login", required=True, help="the login name, e.g. wangli")
    u.add_argument("--name", required=True, help="the display name, e.g. 王丽")
    u.add_argument("--role", required=True, choices=ROLES)
    users_sub.add_parser("list", help="list users (never their passwords)")
    u = users_sub.add_parser("set-password", help="set a user's password (ends their sessions)")
    u.add_argument("--login", required=True)
    p.set_defaults(func=run)


def read_password(stdin: TextIO | None = None) -> str:
    """Asked twice on a terminal; otherwise the first line of stdin (scripts, pipes)."""
    stdin = stdin or sys.stdin
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        from service.store.users import UserInputError

        raise UserInputError("the two passwords differ")
    return first


def run(args: argparse.Namespace) -> int:
    from service.config import get_settings
    from service.store import users
    from service.store.engine import make_engine, transaction
    from service.store.migrate import ensure_schema

    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        ensure_schema(engine, auto_migrate=settings.db.auto_migrate)
        if args.users_command == "list":
            with transaction(engine) as session:
                for row in users.list_users(session):
                    state = "active" if row.active else "disabled"
                    print(f"{row.id}\t{row.login}\t{row.role}\t{state}\t{row.display_name}")
            return 0
        password = read_password()
        with transaction(engine) as session:
            if args.users_command == "create":
                row = users.create_user(
                    session,
                    login=args.login,
                    display_name=args.name,
                    role=args.role,
                    password=password,
                )
            else:
                found = users.find_by_login(session, args.login)
                if found is None:
                    raise users.NoSuchUserError(f"no user {args.login!r}")
                row = users.set_password(session, int(found.id or 0), password)
            print(f"{row.id}\t{row.login}\t{row.role}\t{row.display_name}")
    finally:
        engine.dispose()
    return 0


def announce_first_admin(state: Any, base_url: str) -> None:
    """While no user exists, ``jixiao serve`` says how to create the first admin."""
    from service.store import users
    from service.store.engine import read_session

    if not state.settings.auth.enabled:
        return
    with read_session(state.engine) as session:
        if users.count_users(session) > 0:
            return
    print(
        "No users yet. Create the first admin, who then logs in at "
        f"{base_url}/ui with a password and adds colleagues on the Users page:\n\n"
        "    jixiao users create --login admin --name 管理员 --role admin\n",
        file=sys.stderr,
        flush=True,
    )
