"""Labels of the public recall notice pages: key -> (中文, English)."""

LABELS: dict[str, tuple[str, str]] = {}
