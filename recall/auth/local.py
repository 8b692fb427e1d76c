"""The admin token of a local stack, kept in the data directory so a new user is not locked out."""

import os
from pathlib import Path

from recall.auth import tokens
from recall.config import Settings
from recall.db import create_engine, create_sessionmaker
from recall.errors import Unauthorized

FILE_NAME = "admin-token"


async def ensure_admin_token(settings: Settings) -> tuple[str, Path, bool]:
    """Reuse the token in DATA_DIR/admin-token while it works; otherwise make one and save it."""
    path = settings.data_dir / FILE_NAME
    engine = create_engine(settings.sqlalchemy_url)
    try:
        async with create_sessionmaker(engine)() as session:
            if path.exists():
                token = path.read_text().strip()
                try:
                    principal = await tokens.authenticate(session, token)
                    if principal.is_admin:
                        return token, path, False
                except Unauthorized:
                    pass
            _, token = await tokens.create_token(session, role="admin", name="local-admin")
    finally:
        await engine.dispose()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token, path, True
