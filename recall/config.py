"""Settings read from RECALL_* environment variables (nested groups use a double underscore)."""

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TemporalSettings(BaseModel):
    address: str = "localhost:7233"
    namespace: str = "default"
    task_queue: str = "recall"


class DeadlineSettings(BaseModel):
    """Defaults follow the Chinese consumer-product recall rules as far as they could be checked."""

    plan_working_days: int = Field(10, ge=0)
    progress_report_days: int = Field(30, ge=1)
    summary_working_days: int = Field(15, ge=0)
    utc_offset_hours: int = 8
    # e.g. RECALL_DEADLINES__HOLIDAYS='["2026-10-01","2026-10-02"]'
    holidays: list[date] = []
    extra_workdays: list[date] = []


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RECALL_", env_nested_delimiter="__")

    data_dir: Path = Path(".recall-data")
    database_url: str | None = None
    temporal: TemporalSettings = TemporalSettings()
    # Flat aliases documented in API.md; they win over the nested group when set.
    temporal_address: str | None = None
    temporal_namespace: str | None = None
    deadlines: DeadlineSettings = DeadlineSettings()
    webhook_url: str | None = None
    command_timeout_seconds: float = 10.0
    max_body_kb: int = Field(1024, ge=1)  # a request body (JSON); larger is 413
    max_upload_mb: int = Field(20, ge=1)  # a multipart upload (imports, files); larger is 413
    session_hours: float = Field(8, gt=0, le=24 * 30)  # a browser session, from its sign-in
    log_level: str = "INFO"
    log_json: bool = True

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'recall.db').resolve()}"

    @property
    def temporal_target(self) -> str:
        return self.temporal_address or self.temporal.address

    @property
    def namespace(self) -> str:
        return self.temporal_namespace or self.temporal.namespace

    @property
    def task_queue(self) -> str:
        return self.temporal.task_queue


@lru_cache
def get_settings() -> Settings:
    return Settings()
