"""Alembic migrations; installed as the package recall.migrations (see pyproject.toml)."""
