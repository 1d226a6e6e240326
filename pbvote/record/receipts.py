"""Receipt codes: a resident's code finds their published ballot line, and nothing else does.

The `ballot_id` published in `ballots.jsonl` is SHA-256 over a domain tag, the election hash and the code, so a code
from one election says nothing about another, and without the code a line cannot be tied to anyone. Codes are shown
in groups of four (`K7QM-2XWD-...`); case, spaces and hyphens do not matter when they are typed back.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pbvote.canonical import JsonValue
from pbvote.errors import RecordError
from pbvote.record.merkle import inclusion_proof, leaf_hash, verify_inclusion

__all__ = [
    "RECEIPT_ALPHABET",
    "ReceiptProof",
    "find_receipt",
    "new_receipt_code",
    "normalize_receipt_code",
    "receipt_ballot_id",
    "receipt_in_record",
]

RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a code read aloud or off paper is not misread."""

_DOMAIN = b"pbvote/receipt-ballot-id/v1\x00"
_CODE_LENGTH = 20  # 100 bits of entropy


def new_receipt_code() -> str:
    """A fresh random receipt code (100 bits), grouped by four.

    >>> len(normalize_receipt_code(new_receipt_code()))
    20
    """
    number = secrets.randbits(5 * _CODE_LENGTH)  # one draw from the OS's generator; 5 bits a character
    raw = "".join(RECEIPT_ALPHABET[(number >> (5 * i)) & 31] for i in range(_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _CODE_LENGTH, 4))


def normalize_receipt_code(code: str) -> str:
    """The code as hashed: upper case, without spaces or hyphens.

    Raises:
        ValueError: when the code is empty or holds a character outside the alphabet.

    >>> normalize_receipt_code(" k7qm-2xwd ")
    'K7QM2XWD'
    """
    text = "".join(code.split()).replace("-", "").upper()
    if not text:
        raise ValueError("the receipt code is empty")
    bad = sorted({c for c in text if c not in RECEIPT_ALPHABET})
    if bad:
        raise ValueError(f"the receipt code holds {''.join(bad)!r}, which no receipt code contains")
    return text


def receipt_ballot_id(election_hash: str, code: str) -> str:
    """The published `ballot_id` of the ballot whose receipt carries `code` (64 hex digits).

    Raises:
        ValueError: when the code is not a receipt code.

    >>> receipt_ballot_id("00" * 32, "k7qm-2xwd") == receipt_ballot_id("00" * 32, "K7QM2XWD")
    True
    """
    message = _DOMAIN + election_hash.encode("ascii") + b"\x00" + normalize_receipt_code(code).encode("ascii")
    return hashlib.sha256(message).hexdigest()


@dataclass(frozen=True, slots=True)
class ReceiptProof:
    """A receipt's ballot line and its Merkle inclusion proof against the published root.

    Attributes:
        ballot_id: the ballot id the code maps to.
        line_number: the 1-based line of `ballots.jsonl` holding it.
        line: the line itself.
        tree_size: the number of ballot lines (leaves).
        root: the root published in `commitments.json` (hex).
        proof: the audit path, leaf to root (hex).
        verified: whether the path leads from the line to the published root.
    """

    ballot_id: str
    line_number: int
    line: str
    tree_size: int
    root: str
    proof: tuple[str, ...]
    verified: bool

    def to_json(self) -> dict[str, JsonValue]:
        """The proof as a JSON object."""
        return {
            "ballot_id": self.ballot_id,
            "line_number": self.line_number,
            "line": self.line,
            "leaf_index": self.line_number - 1,
            "tree_size": self.tree_size,
            "root": self.root,
            "proof": list(self.proof),
            "verified": self.verified,
        }


def find_receipt(lines: Sequence[str], root: str, election_hash: str, code: str) -> ReceiptProof | None:
    """The line of the ballot with this receipt code and its inclusion proof, or `None` when no line has it.

    Args:
        lines: the lines of `ballots.jsonl` (without newlines), in file order.
        root: the root of all ballot lines published in `commitments.json` (hex).
        election_hash: the election hash.
        code: the receipt code as typed.

    Raises:
        ValueError: when the code is not a receipt code.
    """
    ballot_id = receipt_ballot_id(election_hash, code)
    found = [i for i, line in enumerate(lines) if _ballot_id(line) == ballot_id]
    if not found:
        return None
    index = found[0]
    hashes = [leaf_hash(line.encode("utf-8")) for line in lines]
    proof = inclusion_proof(hashes, index)
    try:
        published = bytes.fromhex(root)
    except ValueError:
        published = b""
    verified = verify_inclusion(hashes[index], index, len(lines), proof, published)
    return ReceiptProof(ballot_id, index + 1, lines[index], len(lines), root, tuple(p.hex() for p in proof), verified)


def receipt_in_record(files: Mapping[str, bytes], code: str) -> ReceiptProof | None:
    """`find_receipt` on a record's files: what `GET .../receipts/{code}` and `pbvote verify --receipt` return.

    Raises:
        RecordError: when the record lacks `election.json`, `ballots.jsonl` or the root in `commitments.json`.
        ValueError: when the code is not a receipt code.
    """
    try:
        election_hash = hashlib.sha256(files["election.json"]).hexdigest()
        lines = files["ballots.jsonl"].decode("utf-8").splitlines()
        root = json.loads(files["commitments.json"])["ballots"]["root"]
    except KeyError as exc:
        raise RecordError(f"the record has no {exc.args[0]}") from exc
    except (ValueError, TypeError) as exc:
        raise RecordError(f"commitments.json publishes no root of the ballots ({exc})") from exc
    if not isinstance(root, str):
        raise RecordError("commitments.json: ballots.root is not text")
    return find_receipt(lines, root, election_hash, code)


def _ballot_id(line: str) -> object:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data.get("ballot_id") if isinstance(data, dict) else None
