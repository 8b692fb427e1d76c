"""The real captures in tests/data (see its README.md), read in place and never written."""

import json
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CPSC_FILE = DATA_DIR / "cpsc-recalls-2025-10_2026-04.json"
OPENFDA_FILE = DATA_DIR / "openfda-enforcement-2026-01_04.json"


@pytest.fixture(scope="session")
def cpsc_file() -> Path:
    return CPSC_FILE


@pytest.fixture(scope="session")
def openfda_file() -> Path:
    return OPENFDA_FILE


@pytest.fixture(scope="session")
def cpsc_records(cpsc_file: Path) -> list:
    return json.loads(cpsc_file.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def openfda_records(openfda_file: Path) -> list:
    return json.loads(openfda_file.read_text(encoding="utf-8"))["results"]
