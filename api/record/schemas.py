"""Bodies of the record routes: officials, signatures, receipt proofs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ballots.store.models import OfficialRow
from pbvote.record.receipts import ReceiptProof

__all__ = ["OfficialIn", "OfficialOut", "ReceiptProofOut", "SignatureIn"]


class OfficialIn(BaseModel):
    """An official who will sign the record, with their raw Ed25519 public key (`pbvote keygen` prints one)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    public_key: str = Field(min_length=64, max_length=64, pattern="^[0-9a-fA-F]{64}$")


class OfficialOut(BaseModel):
    """A registered official: their published key and whether they have signed the record."""

    name: str
    public_key: str
    signed: bool

    @classmethod
    def of(cls, row: OfficialRow) -> OfficialOut:
        """The official as published."""
        return cls(name=row.name, public_key=row.public_key, signed=row.signature is not None)


class SignatureIn(BaseModel):
    """An official's Ed25519 signature of the manifest's signing message, as `pbvote sign` prints it."""

    model_config = ConfigDict(extra="forbid")
    official: str = Field(min_length=1, max_length=200)
    signature: str = Field(min_length=128, max_length=128, pattern="^[0-9a-fA-F]{128}$")
    public_key: str | None = Field(default=None, description="optional; must be the official's published key")


class ReceiptProofOut(BaseModel):
    """A receipt's published ballot line and its Merkle inclusion proof against the root in `commitments.json`."""

    ballot_id: str
    line_number: int
    line: str
    leaf_index: int
    tree_size: int
    root: str
    proof: list[str]
    verified: bool

    @classmethod
    def of(cls, proof: ReceiptProof) -> ReceiptProofOut:
        """The proof as served."""
        return cls.model_validate(proof.to_json())
