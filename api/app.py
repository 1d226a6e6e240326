"""The Litestar application: `create_app(settings)` wires the store, the intake services and the controllers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.plugins.pydantic import PydanticPlugin
from sqlalchemy import text

from api.audit.controllers import AuditController
from api.auth.guards import require_staff_guards, staff_guard
from api.deps import IntakeDep, provide_intake
from api.elections.controllers import ElectionController
from api.errors import (
    DATABASE_UNAVAILABLE,
    database_unavailable_handler,
    pbvote_error_handler,
    validation_error_handler,
)
from api.kiosks.controllers import KioskController
from api.pages import pages_router
from api.paper.controllers import PaperController
from api.record.controllers import RecordController
from api.roll.controllers import RollController
from api.security import add_security_headers
from api.settings import Settings
from api.voting.controllers import VotingController
from ballots.context import Intake
from ballots.ratelimit import FailureLimiter
from ballots.store.engine import make_engine, make_sessionmaker
from pbvote.errors import PbvoteError

__all__ = ["create_app"]


@get("/healthz")
async def healthz(intake: IntakeDep) -> dict[str, str]:
    """Liveness and database reachability: 503 with `Retry-After` while the database cannot be reached."""
    async with intake.sessions.begin() as session:
        await session.execute(text("SELECT 1"))
    return {"status": "ok"}


def create_app(settings: Settings | None = None) -> Litestar:
    """The pbvote server; `settings` default to the `PBVOTE_*` environment, read now.

    Raises:
        ValueError: when no server secret is set (`PBVOTE_SECRET`).
    """
    settings = settings or Settings()
    secret = settings.secret.get_secret_value()
    if not secret:
        raise ValueError("the server needs a secret: set PBVOTE_SECRET (for example `openssl rand -hex 32`)")
    engine = make_engine(settings.database_url, null_pool=settings.null_pool)
    limiter = FailureLimiter(max_failures=settings.max_failures, window=settings.failure_window)
    intake = Intake(make_sessionmaker(engine), secret.encode("utf-8"), limiter)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await engine.dispose()

    app = Litestar(
        route_handlers=[
            healthz,
            # the body limits (413 before the body is read past them): files, ballots, everything else
            Router(
                "/",
                route_handlers=[ElectionController, RollController],
                request_max_body_size=settings.max_upload_bytes,
                guards=[staff_guard],
            ),
            Router(
                "/",
                route_handlers=[KioskController, PaperController, AuditController, RecordController],
                guards=[staff_guard],
            ),
            # residents' ballots and the pages declare no staff dependency: no guard to run on the hot path
            # (`require_staff_guards` below refuses to start an app where a staff route lacks it)
            Router("/", route_handlers=[VotingController], request_max_body_size=settings.max_ballot_bytes),
            pages_router,
        ],
        request_max_body_size=settings.max_body_bytes,
        before_send=[add_security_headers],
        dependencies={"intake": Provide(provide_intake, sync_to_thread=False)},
        exception_handlers={
            PbvoteError: pbvote_error_handler,
            ValidationException: validation_error_handler,
            **dict.fromkeys(DATABASE_UNAVAILABLE, database_unavailable_handler),
        },
        state=State({"intake": intake, "engine": engine}),
        lifespan=[lifespan],
        # strict: a JSON string is not an integer, nor a number a string; inputs are taken as typed or refused
        plugins=[PydanticPlugin(validate_strict=True)],
        openapi_config=OpenAPIConfig(title="pbvote", version="0.1.0", path="/schema"),
    )
    require_staff_guards(app)
    return app
