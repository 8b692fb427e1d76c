"""The accounts of a local stack (`recall up`): an admin to sign in with on the first start, and
with the demo a regulator and an enterprise to click through the workbench. Their password is
kept in DATA_DIR/admin-password (mode 600), so a new user is not locked out of the pages."""

import os
import secrets
from pathlib import Path

from sqlalchemy import func, select

from recall.accounts.models import Account
from recall.accounts.service import create_account, find_account
from recall.cases.models import Hazard
from recall.config import Settings
from recall.db import create_engine, create_sessionmaker
from recall.reference.models import Enterprise, Region
from recall.rules.case_rules import OPEN_HAZARD_STATUSES

FILE_NAME = "admin-password"


def _password(path: Path) -> tuple[str, bool]:
    if path.exists():
        return path.read_text().strip(), False
    password = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password, True


async def _busiest_enterprise(session) -> Enterprise | None:
    """The demo's enterprise with the most hazards still open: its workbench has things to do."""
    busiest = await session.scalar(
        select(Hazard.enterprise_id)
        .where(Hazard.status.in_(OPEN_HAZARD_STATUSES))
        .group_by(Hazard.enterprise_id)
        .order_by(func.count().desc(), Hazard.enterprise_id)
        .limit(1)
    )
    if busiest is not None:
        return await session.get(Enterprise, busiest)
    return await session.scalar(select(Enterprise).order_by(Enterprise.name).limit(1))


async def ensure_local_accounts(settings: Settings, *, demo: bool) -> tuple[list[str], Path]:
    """Make the missing local accounts; their usernames and the file with their password."""
    path = settings.data_dir / FILE_NAME
    engine = create_engine(settings.sqlalchemy_url)
    made = []
    try:
        async with create_sessionmaker(engine)() as session:
            if await session.scalar(select(Account.id).limit(1)) is None:
                password, _ = _password(path)
                await create_account(
                    session, username="admin", name="本地管理员", role="admin", password=password
                )
                made.append("admin")
            if demo and await find_account(session, "demo-regulator") is None and path.exists():
                password = path.read_text().strip()
                regions = list((await session.execute(select(Region.code))).scalars())
                enterprise = await _busiest_enterprise(session)
                if regions:
                    await create_account(
                        session, username="demo-regulator", name="演示监管人员",
                        role="regulator", password=password, regions=regions,
                    )  # fmt: skip
                    made.append("demo-regulator")
                if enterprise is not None:
                    await create_account(
                        session, username="demo-enterprise", name=enterprise.name,
                        role="enterprise", password=password, enterprise_id=enterprise.id,
                    )  # fmt: skip
                    made.append("demo-enterprise")
    finally:
        await engine.dispose()
    return made, path
