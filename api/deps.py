"""Dependencies every controller shares: the intake services (staff tokens: `api.auth.guards`)."""

from __future__ import annotations

from typing import Annotated

from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from ballots.context import Intake

__all__ = ["MAX_ROW_ID", "IntakeDep", "RowId", "RowIdQuery", "provide_intake"]

MAX_ROW_ID = 2**31 - 1
"""The largest id a table holds (PostgreSQL `integer`): a larger one in a path is refused, not sent to the database."""

RowId = Annotated[int, PathParameter(ge=1, le=MAX_ROW_ID)]
"""The id of a stored row in a path (election, kiosk, batch) or a paper's number in its batch."""

RowIdQuery = Annotated[int | None, QueryParameter(ge=1, le=MAX_ROW_ID)]
"""An optional row id in the query string."""

IntakeDep = NamedDependency[Intake]
"""The intake services, as a handler parameter."""


def provide_intake(state: State) -> Intake:
    """The server's intake services."""
    intake: Intake = state.intake
    return intake
