"""Bodies of `/api/v1/elections/{id}/roll`."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.datastructures import UploadFile
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CensusUpload", "CodesRequest", "RollAdded"]

_MAX_CODES = 100_000


@dataclass
class CensusUpload:
    """A multipart upload of a census CSV (field `file`): `identifier`, optional `district` and `birth_year`."""

    file: UploadFile


class CodesRequest(BaseModel):
    """How many voting codes to make, and for which district's ballot."""

    model_config = ConfigDict(extra="forbid")
    count: int = Field(ge=1, le=_MAX_CODES)
    district: str | None = None


class RollAdded(BaseModel):
    """How many residents were added to the roll."""

    election_id: int
    added: int
