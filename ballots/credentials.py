"""Keyed hashes, voting codes, receipts and staff tokens: every secret value intake makes or checks."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pbvote.record.receipts import RECEIPT_ALPHABET, new_receipt_code

__all__ = [
    "keyed_hash",
    "new_receipt",
    "new_staff_token",
    "new_voting_code",
    "normalize_code",
    "queued_receipt",
    "token_hash",
]

# Crockford's base32 without I, L, O, U: codes read aloud and typed from paper without ambiguity
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_GROUPS = 3
_CODE_GROUP_LENGTH = 4


def keyed_hash(secret: bytes, purpose: str, *parts: object) -> str:
    """HMAC-SHA-256 (hex) of `parts` under the server's secret, separated by purpose.

    >>> keyed_hash(b"k", "voter", 1, "x") == keyed_hash(b"k", "voter", 1, "x") != keyed_hash(b"k", "link", 1, "x")
    True
    """
    message = "\x1f".join([purpose, *(str(p) for p in parts)]).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def new_voting_code() -> str:
    """A random single-use voting code, `XXXX-XXXX-XXXX` (60 bits)."""
    groups = ("".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_GROUP_LENGTH)) for _ in range(_CODE_GROUPS))
    return "-".join(groups)


def normalize_code(code: str) -> str:
    """A typed code in canonical form: upper case, no separators, the usual misreadings mapped.

    >>> normalize_code(" abcd-efgh-ijkl ") == normalize_code("ABCDEFGH1JK1")
    True
    """
    text = code.strip().upper().replace("-", "").replace(" ", "")
    return text.translate(str.maketrans("ILO", "110"))


def new_receipt() -> str:
    """A random receipt code (100 bits) given to the voter for an accepted ballot; only its `ballot_id` is stored."""
    return new_receipt_code()


def queued_receipt(secret: bytes, kiosk_id: int, client_uuid: str) -> str:
    """The receipt code of a ballot a kiosk queued offline, derived from its UUID so a resent queue gets it again.

    >>> queued_receipt(b"k", 1, "u") == queued_receipt(b"k", 1, "u") != queued_receipt(b"k", 2, "u")
    True
    """
    digest = bytes.fromhex(keyed_hash(secret, "queued-receipt", kiosk_id, client_uuid))
    number = int.from_bytes(digest[:13], "big")  # 104 bits, of which the code keeps 100
    raw = "".join(RECEIPT_ALPHABET[(number >> (5 * i)) & 31] for i in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def new_staff_token() -> str:
    """A random staff bearer token (256 bits)."""
    return "pbv_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a staff token: what is stored (tokens are random, so no key or salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
