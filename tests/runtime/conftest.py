import os
from pathlib import Path

import pytest


@pytest.fixture
def isolated_env(monkeypatch, tmp_path: Path) -> None:
    """No RECALL_* or TEMPORAL_* of the machine running the tests, and no temporal.toml."""
    for name in os.environ:
        if name.startswith(("RECALL_", "TEMPORAL_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", str(tmp_path / "no-such-temporal.toml"))
