"""Merkle tree hashes, inclusion proofs and consistency proofs as RFC 6962 and RFC 9162 (section 2.1) define them.

Leaves are hashed as SHA-256(0x00 || data) and interior nodes as SHA-256(0x01 || left || right), so a leaf can
never pass for a node. The tree over n leaves splits at the largest power of two below n; the empty tree's hash is
SHA-256 of nothing. Proofs are lists of 32-byte hashes, ordered from the leaf towards the root.

>>> merkle_root([b""]).hex()[:16]
'6e340b9cffb37a98'
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "root_of_hashes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The hash of the empty tree."""


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (MTH) of the leaves' data, in order."""
    return root_of_hashes([leaf_hash(leaf) for leaf in leaves])


def root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """The tree hash over leaf hashes already computed.

    Pairing level by level and carrying an odd last node up unchanged gives the same tree as RFC 6962's split at
    the largest power of two, in linear time.
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path PATH(index, D[n]) of RFC 9162 section 2.1.3.1, over leaf hashes.

    Raises:
        IndexError: when `index` is not the index of a leaf.
    """
    if not 0 <= index < len(hashes):
        raise IndexError(f"leaf {index} is not in a tree of {len(hashes)} leaves")
    if len(hashes) == 1:
        return []
    k = _split(len(hashes))
    if index < k:
        return [*inclusion_proof(hashes[:k], index), root_of_hashes(hashes[k:])]
    return [*inclusion_proof(hashes[k:], index - k), root_of_hashes(hashes[:k])]


def consistency_proof(hashes: Sequence[bytes], size1: int) -> list[bytes]:
    """The proof PROOF(size1, D[n]) of RFC 9162 section 2.1.4.1 that the first `size1` leaves are a prefix.

    Raises:
        ValueError: when `size1` is not between 0 and the number of leaves.
    """
    if not 0 <= size1 <= len(hashes):
        raise ValueError(f"a tree of {len(hashes)} leaves has no prefix of {size1} leaves")
    if size1 in {0, len(hashes)}:
        return []
    return _subproof(hashes, size1, complete=True)


def _subproof(hashes: Sequence[bytes], m: int, *, complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [root_of_hashes(hashes)]
    k = _split(n)
    if m <= k:
        return [*_subproof(hashes[:k], m, complete=complete), root_of_hashes(hashes[k:])]
    return [*_subproof(hashes[k:], m - k, complete=False), root_of_hashes(hashes[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether `proof` shows the leaf hash `leaf` at `index` in the tree of `size` leaves with hash `root`.

    The algorithm of RFC 9162 section 2.1.3.2.
    """
    if not 0 <= index < size or len(root) != HASH_SIZE or len(leaf) != HASH_SIZE:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0 or len(p) != HASH_SIZE:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> bool:
    """Whether `proof` shows the tree (size1, root1) is a prefix of the tree (size2, root2).

    The algorithm of RFC 9162 section 2.1.4.2, with its trivial cases: equal sizes need equal roots and an empty
    proof; an empty first tree is a prefix of anything, with an empty proof.
    """
    trivial = _trivial_consistency(size1, size2, root1, root2, proof)
    if trivial is not None:
        return trivial
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == root1 and sr == root2 and sn == 0


def _trivial_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> bool | None:
    """The answer when no hashing is needed, else `None`."""
    if not 0 <= size1 <= size2:
        return False
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0:
        return not proof
    if not proof or any(len(p) != HASH_SIZE for p in proof):
        return False
    return None
