"""pbvote: the pure domain of participatory budgeting.

Modules: `election` (Election, BallotRules), `project` (Project, ProjectId), `ballot` (Ballot, VoteType),
`money` (integer amounts), `validation` (validate_ballot -> BallotCheck), `tiebreak` (TieBreak), `errors`,
`pabulib` (the .pb format).
"""

__version__ = "0.1.0"
