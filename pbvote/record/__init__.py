"""The published election record: what observers download to recompute the result without our server.

A record is a folder (or one zip/tar archive) of these files:

- `election.json`: the frozen definition with the rule, its options and the officials' keys (`definition`);
  its SHA-256 is the `election_hash`;
- `ballots.jsonl`, `ballots.csv`, `ballots.pb`: the counted ballots, one canonical line each (`ballot_lines`);
- `commitments.json`: Merkle roots over the ballot lines, overall, per channel, per kiosk and batch
  (`commitments`, `merkle`);
- `reconciliation.json`: check-ins, envelopes, accepted and spoiled ballots per kiosk and batch (`reconciliation`);
- `result.json`: the allocation in selection order with running cost (`build.result_bytes`);
- `MANIFEST.json`: every other file's SHA-256, signed by each official (`manifest`).

Modules: `merkle` (RFC 6962/9162 tree hash and proofs), `receipts` (receipt code -> ballot_id, inclusion proofs),
`ballot_lines`, `definition`, `commitments`, `reconciliation`, `manifest`, `build` (`build_record`: the files as
bytes, pure) and `layout` (folders and deterministic archives). `tally.record.produce_record` runs the rule and
builds a record; `tally.verify` checks one (`pbvote verify`).
"""
