"""tally: pure, deterministic allocation rules.

Modules: `registry` (RULES, allocate), `allocation` (Allocation, Tie), `options` (RuleOptions), `profile`
(CompiledProfile), `record` (freeze an election's rule and options; produce its published record), `verify` (the
numbered checks of `pbvote verify`).
"""
