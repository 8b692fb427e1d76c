"""Pure rules shared by the workflows and the API: no I/O, no clock but what is passed in."""

from recall.rules.refusal import RuleViolation

__all__ = ["RuleViolation"]
