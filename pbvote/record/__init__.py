"""The published election record: what observers download to recompute the result without our server.

Modules: `merkle` (RFC 6962/9162 tree hash and proofs).
"""
