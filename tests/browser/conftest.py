"""The browser suite: the real app under uvicorn on 127.0.0.1, driven by Debian's Chromium through Playwright.

One server for the browser tests, on a random port, with a fresh SQLite database built by the migrations and seeded
through the JSON API (elections, voting codes, a kiosk, a tallied election with ballots). Chromium is the system's
`/usr/bin/chromium` (installed by `.ci/install-browser.sh`), never a downloaded build.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from api.app import create_app
from api.settings import Settings
from ballots.staff import create_token
from ballots.store.engine import make_engine, make_sessionmaker
from ballots.store.migrate import upgrade
from tally import registry
from tests.browser import seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass
class Site:
    """The running server and what the seed made."""

    url: str
    admin: str
    official: str
    official2: str
    elections: dict[str, int] = field(default_factory=dict)
    codes: dict[str, list[str]] = field(default_factory=dict)
    kiosk: int = 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def _prepare(url: str) -> tuple[str, str, str]:
    engine = make_engine(url, null_pool=True)
    try:
        await upgrade(engine)
        sessions = make_sessionmaker(engine)
        tokens = [
            await create_token(sessions, "admin", "Coordinator"),
            await create_token(sessions, "official", "Official One"),
            await create_token(sessions, "official", "Official Two"),
        ]
    finally:
        await engine.dispose()
    return tokens[0], tokens[1], tokens[2]


@pytest.fixture(name="site", scope="package")
def fx_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    database = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('browser') / 'pbvote.db'}"
    admin, official, official2 = asyncio.run(_prepare(database))
    patch = pytest.MonkeyPatch()
    patch.setitem(registry.RULES, seed.RULE, seed.most_approved)  # type: ignore[arg-type]
    app = create_app(Settings(database_url=database, secret="browser-test-secret"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    site = Site(f"http://127.0.0.1:{port}", admin, official, official2)
    with httpx.Client(base_url=site.url, timeout=30) as client:
        seed.seed(client, site)
    yield site
    server.should_exit = True
    thread.join(timeout=10)
    patch.undo()


@pytest.fixture(name="playwright", scope="package")
def fx_playwright() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(name="browser", scope="package")
def fx_browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run .ci/install-browser.sh (make test does)", pytrace=False)
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture(name="context")
def fx_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="en-US")
    yield context
    context.close()


@pytest.fixture(name="page")
def fx_page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    yield page
    assert refused == [], "the page broke its Content-Security-Policy or threw"
