"""Labels of the workbench pages: key -> (中文, English)."""

LABELS: dict[str, tuple[str, str]] = {}
