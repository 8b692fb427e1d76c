"""Labels of the sign-in, account and admin pages: key -> (中文, English)."""

LABELS: dict[str, tuple[str, str]] = {}
