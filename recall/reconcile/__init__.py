"""Keeping the read model true: `recall reconcile [--repair]` compares every workflow's state
with its rows in the database and rewrites them from the state (recall.reconcile.check says
what is compared, recall.reconcile.run how the workflows are gone through)."""
