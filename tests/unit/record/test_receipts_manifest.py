"""Receipt ids, the frozen definition's hash, and the signed manifest."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pbvote.canonical import canonical_bytes, election_hash, election_to_json
from pbvote.election import Election
from pbvote.project import Project, ProjectId
from pbvote.record.definition import FrozenElection, Official, parse_election_file
from pbvote.record.manifest import manifest_body, public_key_bytes, sign, signature_problems
from pbvote.record.receipts import new_receipt_code, normalize_receipt_code, receipt_ballot_id

ELECTION = Election(100, (Project(ProjectId("p1"), 60),))
KEYS = {name: Ed25519PrivateKey.from_private_bytes(bytes([i + 1]) * 32) for i, name in enumerate(("ann", "ben"))}
OFFICIALS = tuple(Official(name, public_key_bytes(key)) for name, key in KEYS.items())


def test_receipt_ballot_id_is_the_documented_hash():
    # the definition in receipts.py's docstring, written out independently
    expected = hashlib.sha256(b"pbvote/receipt-ballot-id/v1\x00" + b"ab" * 32 + b"\x00" + b"K7QM2XWD").hexdigest()
    assert receipt_ballot_id("ab" * 32, "k7qm 2xwd") == expected
    assert receipt_ballot_id("cd" * 32, "K7QM2XWD") != expected


def test_receipt_codes_are_checked_and_fresh_ones_are_valid():
    with pytest.raises(ValueError, match="holds 'IO'"):
        normalize_receipt_code("IO12")
    with pytest.raises(ValueError, match="empty"):
        normalize_receipt_code(" - ")
    codes = {new_receipt_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(len(normalize_receipt_code(code)) == 20 for code in codes)


def test_the_election_hash_is_sha256_of_election_json():
    frozen = FrozenElection(ELECTION, "greedy", {"tie_break": "min-cost,id"}, OFFICIALS, "pbvote 0.1.0")
    assert frozen.hash == hashlib.sha256(frozen.to_bytes()).hexdigest()
    assert frozen.hash == election_hash(ELECTION, frozen.frozen_fields())
    assert (
        frozen.hash
        != election_hash(ELECTION)
        == hashlib.sha256(canonical_bytes(election_to_json(ELECTION))).hexdigest()
    )
    assert parse_election_file(frozen.to_bytes()) == frozen


def test_frozen_fields_cannot_replace_the_definition():
    with pytest.raises(ValueError, match="would replace"):
        election_hash(ELECTION, {"budget": 5})


def test_manifest_signed_by_each_official_verifies():
    manifest = sign(manifest_body({"a.txt": b"x"}, "00"), OFFICIALS, KEYS)
    assert manifest["files"] == {"a.txt": hashlib.sha256(b"x").hexdigest()}
    assert signature_problems(manifest, OFFICIALS) == []


def test_manifest_problems_name_the_signature():
    manifest = sign(manifest_body({"a.txt": b"x"}, "00"), OFFICIALS, KEYS)
    edited = {**manifest, "files": {"a.txt": "00" * 32}}
    assert signature_problems(edited, OFFICIALS) == [
        "MANIFEST.json signatures[0] (ann): the signature does not verify with 'ann''s published key",
        "MANIFEST.json signatures[1] (ben): the signature does not verify with 'ben''s published key",
        "MANIFEST.json: no valid signature of official 'ann'",
        "MANIFEST.json: no valid signature of official 'ben'",
    ]
    only_ann = {**manifest, "signatures": manifest["signatures"][:1]}
    assert signature_problems(only_ann, OFFICIALS) == ["MANIFEST.json: no valid signature of official 'ben'"]


def test_signing_refuses_a_key_that_is_not_the_published_one():
    with pytest.raises(ValueError, match="not their published public key"):
        sign(manifest_body({}, "00"), OFFICIALS, {"ann": KEYS["ben"], "ben": KEYS["ben"]})
