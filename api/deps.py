"""Dependencies every controller shares: the intake services (staff tokens: `api.auth.guards`)."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import NamedDependency

from ballots.context import Intake

__all__ = ["IntakeDep", "provide_intake"]

IntakeDep = NamedDependency[Intake]
"""The intake services, as a handler parameter."""


def provide_intake(state: State) -> Intake:
    """The server's intake services."""
    intake: Intake = state.intake
    return intake
