"""tally: pure, deterministic allocation rules.

Modules: `registry` (RULES, allocate), `allocation` (Allocation, Tie), `options` (RuleOptions), `profile`
(CompiledProfile), `scores` (project scores by vote type), `greedy` (greedy, greedy-no-skip, greedy-threshold,
greedy-per-cost), `knapsack` (max-welfare, exact), `phragmen` (sequential Phragmén), `mes` (Method of Equal Shares),
`fromfile` (META `rule` to a rule id and options), `cli` (`pbvote tally`, `pbvote compare`), `record` (freeze an
election's rule and options; produce its published record), `verify` (the numbered checks of `pbvote verify`).
"""
