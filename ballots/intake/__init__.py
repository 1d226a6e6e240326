"""Ballot intake: `online` (a resident's own ballot), `kiosk` (check-ins, ballots entered by officials, offline
queues) and `paper` (double-keyed paper batches)."""
