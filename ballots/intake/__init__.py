"""Ballot intake, one module per channel.

`online` (a resident's own ballot), `kiosk` (check-ins, ballots entered by officials, offline queues) and `paper`
(double-keyed paper batches); `common` holds what they share.
"""
