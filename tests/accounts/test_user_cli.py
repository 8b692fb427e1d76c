"""`recall user create | list | disable | password` as a person runs them, against a SQLite data
dir; and the failure count of signing in, under concurrent failures, on SQLite too."""

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from recall.accounts import service
from recall.accounts.models import Account, SigninFailures
from recall.accounts.passwords import verify_password
from recall.db import create_engine, create_sessionmaker
from tests.test_token_cli import recall

PASSWORD = "一个足够长的密码 sesame"


def user(data_dir: Path, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    if password is None:
        return recall(data_dir, "user", *args)
    return recall_with_stdin(data_dir, password + "\n", "user", *args)


def recall_with_stdin(data_dir: Path, stdin: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECALL_")}
    env["RECALL_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "recall", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    assert recall(tmp_path, "db", "upgrade").returncode == 0
    return tmp_path


async def account(data_dir: Path, username: str) -> Account | None:
    engine = create_engine(f"sqlite+aiosqlite:///{data_dir / 'recall.db'}")
    try:
        async with create_sessionmaker(engine)() as session:
            return await service.find_account(session, username)
    finally:
        await engine.dispose()


async def test_accounts_are_made_listed_disabled_and_given_new_passwords(data_dir) -> None:
    made = user(
        data_dir,
        *("create", "--username", "ops", "--role", "admin", "--name", "运维"),
        "--password-stdin",
        password=PASSWORD,
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "account ops for admin 运维 (-)"
    assert PASSWORD not in made.stdout + made.stderr
    stored = await account(data_dir, "ops")
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert await verify_password(stored.password_hash, PASSWORD)

    listed = user(data_dir, "list")
    assert listed.returncode == 0
    assert listed.stdout.split() == ["ops", "admin", "运维", "-", "active"]
    assert "argon2" not in listed.stdout

    again = user(
        data_dir,
        *("create", "--username", "OPS", "--role", "admin", "--name", "x"),
        "--password-stdin",
        password=PASSWORD,
    )
    assert again.returncode == 2 and again.stderr.strip() == "error: username 'OPS' is taken"

    changed = user(data_dir, "password", "ops", "--password-stdin", password="another long one")
    assert changed.returncode == 0, changed.stderr
    assert "another long one" not in changed.stdout + changed.stderr
    stored = await account(data_dir, "ops")
    assert await verify_password(stored.password_hash, "another long one")
    assert not await verify_password(stored.password_hash, PASSWORD)

    disabled = user(data_dir, "disable", "ops")
    assert disabled.returncode == 0 and "disabled ops" in disabled.stdout
    assert (await account(data_dir, "ops")).disabled_at is not None
    assert "disabled " in user(data_dir, "list").stdout

    missing = user(data_dir, "disable", "nobody")
    assert missing.returncode == 2 and missing.stderr.strip() == "error: no account 'nobody'"


def test_what_the_commands_refuse(data_dir) -> None:
    base = ("create", "--username", "li", "--name", "李")
    cases = [
        (("--role", "regulator"), PASSWORD, "a regulator needs at least one --region"),
        (("--role", "regulator", "--region", "999999"), PASSWORD, "unknown region '999999'"),
        (
            ("--role", "enterprise"),
            PASSWORD,
            "an enterprise account, and only one, names --enterprise",
        ),
        (("--role", "king"), PASSWORD, "role must be one of admin, regulator"),
        (("--role", "admin"), "short", "password must be at least 10 characters"),
        (("--role", "admin"), "p" * 201, "password must be at most 200 characters"),
        (("--role", "admin"), "bell\x07inside pass", "password must not contain control"),
    ]
    for extra, password, message in cases:
        result = user(data_dir, *base, *extra, "--password-stdin", password=password)
        assert result.returncode == 2, (extra, result.stderr)
        assert result.stderr.startswith(f"error: {message}"), (extra, result.stderr)
        assert password not in result.stderr
    bad_name = user(
        data_dir,
        *("create", "--username", "a b", "--role", "admin", "--name", "x"),
        "--password-stdin",
        password=PASSWORD,
    )
    assert bad_name.returncode == 2 and "username must be 1 to 64 characters" in bad_name.stderr
    no_flag = user(data_dir, *base, "--role", "admin")
    assert no_flag.returncode == 2 and "--password-stdin" in no_flag.stderr
    assert user(data_dir, "list").stdout.strip() == "no accounts"


async def test_concurrent_failures_all_count_on_sqlite(data_dir) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{data_dir / 'recall.db'}")
    factory = create_sessionmaker(engine)
    try:
        async with factory() as session:
            await service.create_account(
                session, username="ann", name="Ann", role="admin", password=PASSWORD
            )

        async def attempt(n: int) -> str:
            async with factory() as session:
                try:
                    await service.authenticate_password(
                        session, "ann", f"wrong password {n}", address="192.0.2.1"
                    )
                except service.SigninLocked:
                    return "locked"
                except service.SigninRefused:
                    return "refused"
            return "signed in"

        results = await asyncio.gather(*(attempt(n) for n in range(20)))
        assert set(results) <= {"refused", "locked"} and results.count("refused") >= 5
        async with factory() as session:
            rows = {r.key: r for r in (await session.execute(select(SigninFailures))).scalars()}
            assert rows["user:ann"].failures == results.count("refused")
            assert rows["addr:192.0.2.1"].failures == results.count("refused")
            lock = rows["user:ann"].locked_until - rows["user:ann"].first_failed_at
            assert timedelta(minutes=14) < lock <= timedelta(minutes=15, seconds=30)
            with pytest.raises(service.SigninLocked):
                await service.authenticate_password(session, "ann", PASSWORD, address="x")
    finally:
        await engine.dispose()
