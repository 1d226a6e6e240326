"""The API under test: one app per test on a fresh database, staff tokens, a test-local allocation rule."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from api.app import create_app
from api.settings import Settings
from ballots.context import Intake
from ballots.staff import create_token
from tally import registry
from tests.integration.api.helpers import TEST_RULE, most_approved


@pytest.fixture(name="rules", autouse=True)
def fx_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.RULES, TEST_RULE, most_approved)  # type: ignore[arg-type]


@pytest.fixture(name="app")
def fx_app(db_url: str) -> Litestar:
    return create_app(Settings(database_url=db_url, secret="test-secret", max_failures=5))


@pytest.fixture(name="intake")
def fx_intake(app: Litestar) -> Intake:
    intake: Intake = app.state.intake
    return intake


@pytest.fixture(name="client")
async def fx_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client that runs the app on the test's own event loop, so gathered requests really overlap.

    Litestar's AsyncTestClient runs the app on a portal thread's loop and waits for each request in turn: it
    cannot race requests, and the app's pooled connections would be shared between two loops.
    """
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client
    await app.state.engine.dispose()


@pytest.fixture(name="admin")
async def fx_admin(intake: Intake) -> dict[str, str]:
    return {"Authorization": f"Bearer {await create_token(intake.sessions, 'admin', 'coordinator')}"}


@pytest.fixture(name="official")
async def fx_official(intake: Intake) -> dict[str, str]:
    return {"Authorization": f"Bearer {await create_token(intake.sessions, 'official', 'official one')}"}


@pytest.fixture(name="official2")
async def fx_official2(intake: Intake) -> dict[str, str]:
    return {"Authorization": f"Bearer {await create_token(intake.sessions, 'official', 'official two')}"}


@pytest.fixture(name="observer")
async def fx_observer(intake: Intake) -> dict[str, str]:
    return {"Authorization": f"Bearer {await create_token(intake.sessions, 'observer', 'observer')}"}
