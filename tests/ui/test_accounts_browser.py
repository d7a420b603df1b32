"""Password login and the user administration page in a real headless Chromium: ``/``
leads to the login page, a password login shows the person's name, an admin creates a
colleague who can then log in, and disables them (after a confirmation). Screenshots of
both pages at 1440×900 and 1024×768 go to tests/_artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.app import create_app
from service.store import users
from service.store.engine import make_engine, transaction
from tests.ui.conftest import LiveServer, screenshot, ui_settings

pytestmark = pytest.mark.slow

SIZES = [(1440, 900), (1024, 768)]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("accounts-live")
    settings = ui_settings(folder)
    app = create_app(settings)
    with LiveServer(app) as server:
        engine = make_engine(settings.resolved_database_url)
        with transaction(engine) as session:
            users.create_user(
                session, login="gao", display_name="高主任", role="admin", password="高主任的密码-1"
            )
        engine.dispose()
        yield server.url


def _page(browser: Any, width: int, height: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    return page


def _password_login(page: Any, url: str, login: str, password: str) -> None:
    page.goto(url + "/")
    page.wait_for_url("**/ui/login**")  # / leads to the UI, which asks who you are
    page.fill("#login", login)
    page.fill("#password", password)
    page.locator("#password-login button[type=submit]").click()
    page.wait_for_url("**/ui/documents")


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_password_login_and_the_admin_creates_a_colleague(browser: Any, live: str) -> None:
    page = _page(browser, 1440, 900)
    page.goto(live + "/ui/login")
    assert page.locator("#api_key").is_hidden()  # the key login is folded away
    page.fill("#login", "gao")
    page.fill("#password", "不对的密码-1")
    page.locator("#password-login button[type=submit]").click()
    assert "登录名或密码错误" in page.locator(".alert.bad").inner_text()
    assert page.input_value("#login") == "gao"

    _password_login(page, live, "gao", "高主任的密码-1")
    assert page.locator(".topbar .who").inner_text().startswith("高主任")
    page.locator(".mainnav a", has_text="用户").click()
    page.wait_for_url("**/ui/admin/users")
    assert page.locator("tr[data-login=gao] td.name").inner_text() == "高主任（本人）"

    page.fill("#nu-name", "林审核")
    page.fill("#nu-login", "lin")
    page.select_option("#nu-role", "reviewer")
    page.fill("#nu-password", "林审核的密码-1")
    page.locator("form.new-user button[type=submit]").click()
    page.wait_for_url("**/ui/admin/users?flash=flash.user_created")
    assert "已创建用户" in page.locator(".flash").inner_text()
    row = page.locator("tr[data-login=lin]")
    assert row.locator("td.name").inner_text() == "林审核"
    assert row.locator(".role").inner_text() == "审核员"

    colleague = _page(browser, 1024, 768)
    _password_login(colleague, live, "lin", "林审核的密码-1")
    assert colleague.locator(".topbar .who").inner_text().startswith("林审核")
    assert colleague.locator(".mainnav a", has_text="用户").count() == 0

    # disabling asks first; the colleague's open page then leads back to the login
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("form.active-form button").click()
    page.wait_for_url("**flash=flash.user_disabled")
    assert page.locator("tr[data-login=lin] .badge").inner_text() == "已停用"
    colleague.reload()
    assert "/ui/login" in colleague.url
    assert not page.errors and not colleague.errors


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_screenshots_of_login_and_admin_pages(
    browser: Any, live: str, width: int, height: int
) -> None:
    page = _page(browser, width, height)
    page.goto(live + "/ui/login")
    _no_sideways_scroll(page)
    screenshot(page, f"accounts-login-{width}")
    _password_login(page, live, "gao", "高主任的密码-1")
    page.goto(live + "/ui/admin/users")
    _no_sideways_scroll(page)
    screenshot(page, f"accounts-admin-{width}")
    assert not page.errors
