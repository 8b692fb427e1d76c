"""The workbench (/desk): a person's to-do list, the reports to triage and the case pages with
one form per act."""
