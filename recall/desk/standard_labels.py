"""Labels of the standard's workspace and the public comment form: key -> (中文, English)."""

LABELS: dict[str, tuple[str, str]] = {}
