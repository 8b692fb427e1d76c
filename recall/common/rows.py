"""Read-model rows as plain dicts, for the response models to validate."""

from recall.db import Base


def columns(row: Base) -> dict:
    """Every column of a row, by its attribute name."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}
