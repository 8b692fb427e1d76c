"""The real captures in shared/data, read in place and never written."""

import json
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"
CPSC_FILE = DATA_DIR / "cpsc-recalls-2025-10_2026-04.json"
OPENFDA_FILE = DATA_DIR / "openfda-enforcement-2026-01_04.json"


def _require(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"real recall data not found at {path} (the repo is expected beside shared/)")
    return path


@pytest.fixture(scope="session")
def cpsc_file() -> Path:
    return _require(CPSC_FILE)


@pytest.fixture(scope="session")
def openfda_file() -> Path:
    return _require(OPENFDA_FILE)


@pytest.fixture(scope="session")
def cpsc_records(cpsc_file: Path) -> list:
    return json.loads(cpsc_file.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def openfda_records(openfda_file: Path) -> list:
    return json.loads(openfda_file.read_text(encoding="utf-8"))["results"]
