"""Bodies of `/api/v1/elections/{id}/batches`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.deps import MAX_ROW_ID
from api.voting.schemas import BallotContent
from ballots.intake.paper import PaperContent

__all__ = ["BatchIn", "BatchOut", "KeyedOut", "MismatchOut", "PaperIn", "ReconciledOut"]


class BatchIn(BaseModel):
    """A batch of paper ballots to key, with the number of envelopes counted."""

    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1, max_length=200)
    envelope_count: int = Field(ge=1, le=100_000)
    kiosk_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)


class BatchOut(BaseModel):
    """A paper batch."""

    id: int
    election_id: int
    label: str
    envelope_count: int
    status: str


class PaperIn(BallotContent):
    """What one paper says; `spoiled` gives the reason a paper cannot be read as a ballot."""

    spoiled: str | None = Field(default=None, min_length=1, max_length=500)

    def to_content(self) -> PaperContent:
        """The intake's paper content."""
        return PaperContent(self.to_input(), self.spoiled)


class KeyedOut(BaseModel):
    """A keying stored (never showing the other official's)."""

    seq: int
    pass_no: int


class MismatchOut(BaseModel):
    """A paper the coordinator must look at."""

    seq: int
    problem: str
    keyings: dict[int, str]
    resolved: bool


class ReconciledOut(BaseModel):
    """A reconciled batch: papers counted, spoiled and invalid."""

    batch_id: int
    counted: int
    spoiled: int
    invalid: int
