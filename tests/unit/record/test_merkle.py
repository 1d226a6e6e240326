"""The Merkle code against the RFC 6962 reference test vectors.

Source of truth: transparency-dev/merkle (the Certificate Transparency team's Go library, Apache-2.0):
`testonly/constants.go` at 582a6ad190b6848f1d26f8bf08ddef29955d9db1 (leaf inputs, node and root hashes for trees of
0..8 leaves) and `proof/verify_test.go` at 02194e9afb6c1d95b5381350007963aa70fff472 (inclusion and consistency
proofs, and the corrupted-proof probes mirrored below). The same vectors first appeared in
google/certificate-transparency's C++ merkle tree tests.
"""

from __future__ import annotations

import hashlib

import pytest

from pbvote.record.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
ROOTS = [  # ROOTS[n] is the hash of the tree of the first n leaves
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
LEAF_HASHES = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
]
# (1-based leaf, tree size, proof), from inclusionProofs in verify_test.go
INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (size1, size2, proof), from consistencyProofs in verify_test.go
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def hexes(values):
    return [bytes.fromhex(v) for v in values]


def test_empty_tree_hash_is_sha256_of_nothing():
    assert merkle_root([]) == EMPTY_ROOT == bytes.fromhex(ROOTS[0])


@pytest.mark.parametrize("size", range(9))
def test_roots_match_reference(size):
    assert merkle_root(LEAVES[:size]).hex() == ROOTS[size]


def test_leaf_hashes_match_reference():
    assert [leaf_hash(leaf).hex() for leaf in LEAVES] == LEAF_HASHES


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_reference(leaf, size, proof):
    hashes = [leaf_hash(x) for x in LEAVES[:size]]
    assert inclusion_proof(hashes, leaf - 1) == hexes(proof)
    assert verify_inclusion(hashes[leaf - 1], leaf - 1, size, hexes(proof), bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("leaf", "size", "proof"), [v for v in INCLUSION if v[2]])
def test_corrupted_inclusion_proofs_fail(leaf, size, proof):
    index, path, root, leaf_h = leaf - 1, hexes(proof), bytes.fromhex(ROOTS[size]), leaf_hash(LEAVES[leaf - 1])
    probes = [
        (index - 1, size, root, leaf_h, path),
        (index + 1, size, root, leaf_h, path),
        (index ^ 2, size, root, leaf_h, path),
        (index, size * 2, root, leaf_h, path),
        (index, size // 2, root, leaf_h, path),
        (index, size, root, b"WrongLeaf", path),
        (index, size, EMPTY_ROOT, leaf_h, path),
        (index, size, SOME_HASH, leaf_h, path),
        (index, size, root, leaf_h, [*path, b""]),
        (index, size, root, leaf_h, [*path, root]),
        (index, size, root, leaf_h, [b"", *path]),
        (index, size, root, leaf_h, [root, *path]),
        (index, size, root, leaf_h, path[:-1]),
    ]
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((index, size, root, leaf_h, flipped))
    if len(path) > 1:
        probes.append((index, size, root, leaf_h, [path[0], SOME_HASH, *path[1:]]))
    assert [p for p in probes if verify_inclusion(p[3], p[0], p[1], p[4], p[2])] == []


@pytest.mark.parametrize("size", range(1, 9))
def test_every_generated_inclusion_proof_verifies(size):
    hashes = [leaf_hash(x) for x in LEAVES[:size]]
    root = merkle_root(LEAVES[:size])
    for index in range(size):
        assert verify_inclusion(hashes[index], index, size, inclusion_proof(hashes, index), root)


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY)
def test_consistency_proofs_match_reference(size1, size2, proof):
    hashes = [leaf_hash(x) for x in LEAVES[:size2]]
    assert consistency_proof(hashes, size1) == hexes(proof)
    root1, root2 = bytes.fromhex(ROOTS[size1]), bytes.fromhex(ROOTS[size2])
    assert verify_consistency(size1, size2, root1, root2, hexes(proof))


@pytest.mark.parametrize(("size1", "size2", "proof"), [v for v in CONSISTENCY if v[2]])
def test_corrupted_consistency_proofs_fail(size1, size2, proof):
    path, r1, r2 = hexes(proof), bytes.fromhex(ROOTS[size1]), bytes.fromhex(ROOTS[size2])
    probes = [
        (size1 - 1, size2, r1, r2, path),
        (size1 + 1, size2, r1, r2, path),
        (size1 ^ 2, size2, r1, r2, path),
        (size1, size2 * 2, r1, r2, path),
        (size1, size2 // 2, r1, r2, path),
        (size1, size2, b"WrongRoot", r2, path),
        (size1, size2, r1, b"WrongRoot", path),
        (size1, size2, r2, r1, path),
        (size1, size2, r1, r2, []),
        (size1, size2, r1, r2, [*path, b""]),
        (size1, size2, r1, r2, [*path, r1]),
        (size1, size2, r1, r2, [*path, r2]),
        (size1, size2, r1, r2, [b"", *path]),
        (size1, size2, r1, r2, [r1, *path]),
        (size1, size2, r1, r2, [r2, *path]),
        (size1, size2, r1, r2, [path[0], *path]),
        (size1, size2, r1, r2, path[:-1]),
    ]
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((size1, size2, r1, r2, flipped))
    assert [p for p in probes if verify_consistency(*p)] == []


@pytest.mark.parametrize(
    "case",
    [
        # TestVerifyConsistency's trivial cases in verify_test.go
        (0, 0, b"r1", b"r2", [], False),
        (1, 1, b"r1", b"r2", [], False),
        (0, 0, b"r1", b"r1", [], True),
        (0, 1, b"r1", b"r2", [], True),
        (1, 1, b"r2", b"r2", [], True),
        (1, 0, b"r1", b"r2", [], False),
        (2, 1, b"r1", b"r2", [], False),
        (1, 2, b"r1", b"r2", [], False),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
        (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
        (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
    ],
)
def test_trivial_consistency_cases(case):
    size1, size2, root1, root2, proof, ok = case
    assert verify_consistency(size1, size2, root1, root2, proof) is ok


@pytest.mark.parametrize(("index", "size"), [(0, 0), (0, 1), (1, 0), (2, 1)])
def test_inclusion_refuses_bad_sizes_and_hashes(index, size):
    assert not verify_inclusion(SOME_HASH, index, size, [], b"")
    assert not verify_inclusion(b"", index, size, [], EMPTY_ROOT)
    assert not verify_inclusion(SOME_HASH, index, size, [], EMPTY_ROOT)


def test_every_generated_consistency_proof_verifies():
    hashes = [leaf_hash(x) for x in LEAVES]
    for size2 in range(1, 9):
        for size1 in range(size2 + 1):
            proof = consistency_proof(hashes[:size2], size1)
            root1, root2 = merkle_root(LEAVES[:size1]), merkle_root(LEAVES[:size2])
            assert verify_consistency(size1, size2, root1, root2, proof), (size1, size2)


def mth(leaves):
    """RFC 6962 section 2.1's recursive definition, written out as an independent oracle."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


@pytest.mark.parametrize("size", [9, 13, 16, 17, 31, 33, 64, 100])
def test_larger_trees_match_the_recursive_definition_and_prove(size):
    leaves = [i.to_bytes(2, "big") for i in range(size)]
    hashes = [leaf_hash(x) for x in leaves]
    root = mth(leaves)
    assert merkle_root(leaves) == root
    for index in range(size):
        assert verify_inclusion(hashes[index], index, size, inclusion_proof(hashes, index), root)
    for size1 in range(size + 1):
        assert verify_consistency(size1, size, mth(leaves[:size1]), root, consistency_proof(hashes, size1))
