"""`MANIFEST.json`: the SHA-256 of every other file of the record, signed by each official with Ed25519.

The signed message is a domain tag followed by the canonical JSON of `{"election_hash": ..., "files": {name:
sha256}}`; each signature names its official and public key. The verifier accepts the manifest only when every
official listed in `election.json` (published when voting opened) has signed with that key, and nobody else has.
Officials can sign away from the server: `signing_message` gives the bytes, `add_signature` files the result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pbvote.canonical import JsonValue, canonical_bytes
from pbvote.record.definition import Official

__all__ = [
    "add_signature",
    "manifest_body",
    "public_key_bytes",
    "sign",
    "signature_problems",
    "signing_message",
]

_DOMAIN = b"pbvote/manifest/v1\x00"


def public_key_bytes(key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key of a private key."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def manifest_body(files: Mapping[str, bytes], election_hash: str) -> dict[str, JsonValue]:
    """The manifest without signatures: each file's SHA-256 (hex) by name."""
    digests: dict[str, JsonValue] = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    return {"election_hash": election_hash, "files": digests, "signatures": []}


def signing_message(manifest: Mapping[str, Any]) -> bytes:
    """The bytes each official signs: the domain tag and the manifest's election hash and file digests."""
    body: dict[str, JsonValue] = {"election_hash": manifest["election_hash"], "files": dict(manifest["files"])}
    return _DOMAIN + canonical_bytes(body)


def add_signature(manifest: Mapping[str, Any], official: Official, signature: bytes) -> dict[str, JsonValue]:
    """The manifest with one more signature, signatures kept in official-name order."""
    entry: JsonValue = {
        "official": official.name,
        "public_key": official.public_key.hex(),
        "signature": signature.hex(),
    }
    signatures = [*manifest["signatures"], entry]
    return {**manifest, "signatures": sorted(signatures, key=lambda s: s["official"])}


def sign(
    manifest: Mapping[str, Any], officials: Sequence[Official], keys: Mapping[str, Ed25519PrivateKey]
) -> dict[str, JsonValue]:
    """The manifest signed by every official, each with their own private key (by official name).

    Raises:
        ValueError: when an official has no key, or a key does not match the official's published public key.
    """
    message = signing_message(manifest)
    signed: dict[str, JsonValue] = dict(manifest)
    for official in officials:
        if official.name not in keys:
            raise ValueError(f"official {official.name!r} has no signing key")
        key = keys[official.name]
        if public_key_bytes(key) != official.public_key:
            raise ValueError(f"the signing key of {official.name!r} is not their published public key")
        signed = add_signature(signed, official, key.sign(message))
    return signed


def signature_problems(manifest: Mapping[str, Any], officials: Sequence[Official]) -> list[str]:
    """Every official missing a valid signature, and every signature that is not a published official's."""
    message = signing_message(manifest)
    published = {o.name: o.public_key for o in officials}
    problems: list[str] = []
    seen: set[str] = set()
    for i, entry in enumerate(manifest["signatures"]):
        name, key, signature = str(entry["official"]), bytes.fromhex(entry["public_key"]), entry["signature"]
        where = f"MANIFEST.json signatures[{i}] ({name})"
        if published.get(name) != key:
            problems.append(f"{where}: the key is not the one {name!r} published when voting opened")
        elif not _valid(key, bytes.fromhex(signature), message):
            problems.append(f"{where}: the signature does not verify with {name!r}'s published key")
        else:
            seen.add(name)
    problems.extend(f"MANIFEST.json: no valid signature of official {n!r}" for n in sorted(set(published) - seen))
    return problems


def _valid(key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
