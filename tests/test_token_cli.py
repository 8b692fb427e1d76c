"""`recall token create | list | revoke` as a user runs them, against a SQLite data dir."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recall.auth.tokens import authenticate
from recall.db import create_engine, create_sessionmaker
from recall.errors import Unauthorized


def recall(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECALL_")}
    env["RECALL_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "recall", *args], env=env, capture_output=True, text=True, timeout=60
    )


async def test_tokens_are_made_listed_and_revoked(tmp_path: Path) -> None:
    assert recall(tmp_path, "db", "upgrade").returncode == 0
    made = recall(tmp_path, "token", "create", "--role", "admin", "--name", "ops")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("rct_") and len(token) > 40

    refused = recall(tmp_path, "token", "create", "--role", "regulator", "--name", "x")
    assert refused.returncode == 2
    assert refused.stderr.strip() == "error: a regulator needs at least one --region"
    refused = recall(
        tmp_path, "token", "create", "--role", "regulator", "--name", "x", "--region", "999999"
    )
    assert refused.stderr.strip() == "error: unknown region '999999'"

    listed = recall(tmp_path, "token", "list").stdout
    assert "ops" in listed and "admin" in listed and token not in listed

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'recall.db'}")
    try:
        async with create_sessionmaker(engine)() as session:
            assert (await authenticate(session, token)).name == "ops"
        last = recall(tmp_path, "token", "revoke", "ops")  # the last live admin token stays
        assert last.returncode == 2 and "would leave no live admin token" in last.stderr
        again = recall(tmp_path, "token", "create", "--role", "admin", "--name", "ops2")
        assert again.returncode == 0
        assert recall(tmp_path, "token", "revoke", "ops").returncode == 0
        async with create_sessionmaker(engine)() as session:
            with pytest.raises(Unauthorized, match="revoked"):
                await authenticate(session, token)
    finally:
        await engine.dispose()
    assert "revoked" in recall(tmp_path, "token", "list").stdout
    missing = recall(tmp_path, "token", "revoke", "nobody")
    assert missing.returncode == 2 and "no live token" in missing.stderr


def test_token_commands_on_a_database_never_migrated_say_so(tmp_path: Path) -> None:
    result = recall(tmp_path / "new", "token", "list")
    assert result.returncode == 1 and "recall db upgrade" in result.stderr
    assert "Traceback" not in result.stderr
