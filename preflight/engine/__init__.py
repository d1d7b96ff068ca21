"""The rule engine: the rule catalog, conditions, check kinds and evaluation of rules into findings."""
