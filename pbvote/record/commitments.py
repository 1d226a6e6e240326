"""`commitments.json`: Merkle roots over the ballot lines, for the whole count, each channel and each kiosk or batch.

Each leaf is one line of `ballots.jsonl` as UTF-8 bytes without its newline, in file order (sorted by `ballot_id`);
the tree is RFC 9162's (`pbvote.record.merkle`). A channel's or a source's tree holds its own lines in the same
order. The three channels are always listed, with count 0 and the empty-tree hash when they have no ballots.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pbvote.canonical import JsonValue
from pbvote.record.ballot_lines import Channel, RecordBallot
from pbvote.record.merkle import leaf_hash, root_of_hashes

__all__ = ["TREE", "commitments_to_json"]

TREE = "RFC 9162 section 2.1, SHA-256; leaf = 0x00 || line (UTF-8, no newline), node = 0x01 || left || right"


def commitments_to_json(
    lines: Sequence[str], ballots: Sequence[RecordBallot], election_hash: str
) -> dict[str, JsonValue]:
    """The object `commitments.json` holds.

    Args:
        lines: the lines of `ballots.jsonl`, in file order.
        ballots: the ballot on each line (same order).
        election_hash: the election hash.
    """
    hashes = [leaf_hash(line.encode("utf-8")) for line in lines]
    by_channel: dict[str, list[bytes]] = {c.value: [] for c in Channel}
    by_source: defaultdict[str, defaultdict[str, list[bytes]]] = defaultdict(lambda: defaultdict(list))
    for ballot, digest in zip(ballots, hashes, strict=True):
        by_channel[ballot.channel.value].append(digest)
        if ballot.source is not None:
            by_source[ballot.channel.value][ballot.source].append(digest)
    return {
        "election_hash": election_hash,
        "tree": TREE,
        "ballots": _tree(hashes),
        "channels": {name: _tree(group) for name, group in by_channel.items()},
        "sources": {
            channel: {source: _tree(group) for source, group in groups.items()}
            for channel, groups in sorted(by_source.items())
        },
    }


def _tree(hashes: Sequence[bytes]) -> JsonValue:
    return {"count": len(hashes), "root": root_of_hashes(hashes).hex()}
