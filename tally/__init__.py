"""tally: pure, deterministic allocation rules.

Modules: `registry` (RULES, allocate), `allocation` (Allocation, Tie), `options` (RuleOptions), `profile`
(CompiledProfile).
"""
