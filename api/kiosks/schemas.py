"""Bodies of `/api/v1/elections/{id}/kiosks`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.voting.schemas import BallotBody, CredentialIn, ProfileIn
from ballots.intake.kiosk import QueuedBallot

__all__ = ["CheckInIn", "CheckInOut", "KioskIn", "KioskOut", "QueuedIn", "SyncIn", "SyncItemOut"]

_MAX_QUEUE = 5000


class KioskIn(BaseModel):
    """A kiosk to register."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)


class KioskOut(BaseModel):
    """A registered kiosk."""

    id: int
    election_id: int
    name: str


class CheckInIn(BaseModel):
    """The credential of a resident at the kiosk and, if they choose to say, their gender and age group."""

    model_config = ConfigDict(extra="forbid")
    credential: CredentialIn
    profile: ProfileIn | None = None


class CheckInOut(BaseModel):
    """A check-in; its code is where the kiosk enters the ballot, and becomes the ballot's receipt."""

    checkin: str
    kiosk_id: int


class QueuedIn(BallotBody):
    """A ballot the kiosk took offline, with the UUID the kiosk gave it."""

    uuid: str = Field(pattern=r"^[0-9a-fA-F-]{32,36}$")
    credential: CredentialIn

    def to_queued(self) -> QueuedBallot:
        """The intake's queued ballot."""
        return QueuedBallot(self.uuid.lower(), self.credential.to_credential(), self.to_input())


class SyncIn(BaseModel):
    """A kiosk's offline queue."""

    model_config = ConfigDict(extra="forbid")
    ballots: list[QueuedIn] = Field(max_length=_MAX_QUEUE)


class SyncItemOut(BaseModel):
    """What became of one queued ballot."""

    uuid: str
    status: str
    receipt: str | None
    reason: str | None
