"""`pbvote keygen` and `pbvote sign`: officials make their key and sign the record on their own machine.

`pbvote keygen --out KEY.pem` writes a fresh Ed25519 private key (PKCS#8 PEM, readable only by its owner) and
prints the public key, as the 64 hex digits an admin registers for the official before voting opens.
`pbvote sign MANIFEST --key KEY.pem --official NAME` prints the signature as the JSON body of
`POST /api/v1/elections/{id}/signatures`. MANIFEST is `MANIFEST.json` as `GET .../manifest` serves it, or a record
folder or archive holding it: then every file's SHA-256 is checked against the manifest first, so an official
signs only what they have read. Exit status: 0 signed, 2 unreadable input or a key that is not Ed25519, 1 a record
whose files do not match its manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from pbvote.canonical import JsonValue, canonical_json
from pbvote.errors import RecordError
from pbvote.record.layout import read_record
from pbvote.record.manifest import public_key_bytes, signing_message

__all__ = ["add_parsers", "file_problems", "load_key", "run_keygen", "run_sign", "signature_body"]


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `keygen` and `sign` on the `pbvote` command."""
    keygen = subparsers.add_parser("keygen", help="make an official's Ed25519 signing key; print its public key")
    keygen.add_argument("--out", required=True, metavar="KEY.pem", help="where to write the private key (new file)")
    keygen.set_defaults(handler=run_keygen)
    sign = subparsers.add_parser("sign", help="sign a record's MANIFEST.json with an official's key")
    sign.add_argument("manifest", metavar="MANIFEST", help="MANIFEST.json, or a record folder or archive holding it")
    sign.add_argument("--key", required=True, metavar="KEY.pem", help="the official's private key (pbvote keygen)")
    sign.add_argument("--official", required=True, metavar="NAME", help="the official's name as registered")
    sign.set_defaults(handler=run_sign)


def _fail(message: str) -> int:
    print(f"pbvote: {message}", file=sys.stderr)  # noqa: T201 -- the CLI's own output
    return 2


def run_keygen(args: argparse.Namespace) -> int:
    """Write a new private key to `--out` (never over an existing file) and print the public key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    try:
        descriptor = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        return _fail(f"{args.out}: {exc.strerror or exc}")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    print(public_key_bytes(key).hex())  # noqa: T201 -- the CLI's own output
    return 0


def load_key(path: str | Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file.

    Raises:
        ValueError: when the file cannot be read or holds no unencrypted Ed25519 private key.
    """
    try:
        key = load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from exc
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path}: not an unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: the key is not an Ed25519 key")  # noqa: TRY004 -- one error kind for every bad key file
    return key


def signature_body(manifest: Mapping[str, Any], official: str, key: Ed25519PrivateKey) -> dict[str, JsonValue]:
    """The signature of the manifest's `signing_message`, as the body of `POST .../signatures`."""
    return {
        "official": official,
        "public_key": public_key_bytes(key).hex(),
        "signature": key.sign(signing_message(manifest)).hex(),
    }


def file_problems(files: Mapping[str, bytes], manifest: Mapping[str, Any]) -> list[str]:
    """Every record file whose SHA-256 is not the manifest's, and every file missing on either side."""
    listed: Mapping[str, Any] = manifest["files"]
    present = {name for name in files if name != "MANIFEST.json"}
    problems = [f"{name}: listed in MANIFEST.json but not in the record" for name in sorted(set(listed) - present)]
    problems += [f"{name}: in the record but not in MANIFEST.json" for name in sorted(present - set(listed))]
    for name in sorted(present & set(listed)):
        digest = hashlib.sha256(files[name]).hexdigest()
        if digest != listed[name]:
            problems.append(f"{name}: SHA-256 is {digest}, MANIFEST.json says {listed[name]}")
    return problems


def _read(path: str) -> tuple[dict[str, Any], dict[str, bytes] | None]:
    where = Path(path)
    if where.is_file() and where.name.endswith(".json"):
        return json.loads(where.read_bytes()), None
    files = read_record(where)
    if "MANIFEST.json" not in files:
        raise RecordError(f"{path}: the record holds no MANIFEST.json")
    return json.loads(files["MANIFEST.json"]), files


def run_sign(args: argparse.Namespace) -> int:
    """Sign the manifest named on the command line; print the signature body."""
    try:
        key = load_key(args.key)
        manifest, files = _read(args.manifest)
        if not isinstance(manifest.get("files"), dict) or not isinstance(manifest.get("election_hash"), str):
            return _fail(f"{args.manifest}: not a record manifest (no files or election_hash)")
    except (ValueError, OSError, RecordError) as exc:
        return _fail(str(exc))
    if files is not None:
        problems = file_problems(files, manifest)
        if problems:
            for problem in problems:
                print(f"pbvote sign: {problem}", file=sys.stderr)  # noqa: T201 -- the CLI's own output
            print("pbvote sign: refusing to sign a record whose files differ from its manifest", file=sys.stderr)  # noqa: T201 -- the CLI's own output
            return 1
    print(canonical_json(signature_body(manifest, args.official, key)))  # noqa: T201 -- the CLI's own output
    return 0
