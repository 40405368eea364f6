"""Browser fixtures: the server, its mail folder, Chromium and a page; tests/support/browser.py holds the
machinery (the server's database, gunicorn, axe)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import (
    AXE,
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    new_page,
    prepare_server,
    running_server,
)


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the test server writes its mail, one file per message (EMAIL_FILE_PATH)."""
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str, mail_dir: Path) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("server")
    env, _ = prepare_server(tmp, worker_id, extra_env={"EMAIL_FILE_PATH": str(mail_dir)})
    with running_server(tmp, env) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed at {CHROMIUM}; `make test` installs Debian's chromium")
    if not AXE.exists():
        pytest.fail("axe-core is needed; `make test` installs it with npm")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, server_url: str) -> Iterator[object]:
    context, page = new_page(browser, server_url)
    yield page
    context.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def _module_page(browser: object, server_url: str) -> Iterator[object]:
    context, page = new_page(browser, server_url)
    yield page
    context.close()  # type: ignore[attr-defined]


@pytest.fixture
def public_page(_module_page: object) -> object:
    """A page for a scan of a page anyone may read, signed out and with nothing stored: one tab for the
    module's scans (opening a tab costs Chromium more than loading a page), with its cookies cleared, its
    viewport reset and its console errors emptied before each test. Journeys use `page`, a new context."""
    page = _module_page
    page.goto("about:blank")  # type: ignore[attr-defined]
    page.context.clear_cookies()  # type: ignore[attr-defined]
    page.set_viewport_size(VIEWPORT)  # type: ignore[attr-defined]
    page.console_errors.clear()  # type: ignore[attr-defined]
    return page
