"""Run Alembic migrations from code (recall db upgrade, recall up, tests).

The Alembic configuration is built here, not read from alembic.ini (which is for developers running
`alembic` in the repository): the scripts are the package recall.migrations, which is the
repository's migrations/ folder in an editable install and a copy inside the wheel otherwise."""

from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine


def script_location() -> Path:
    return Path(str(files("recall.migrations")))


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    # ConfigParser interpolation: a literal % in a path is written %%.
    cfg.set_main_option("script_location", str(script_location()).replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["configure_logging"] = False
    if url:
        cfg.attributes["url"] = url
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    def _run(connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_run)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    def _run(connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_run)
