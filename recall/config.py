"""Settings read from RECALL_* environment variables (nested groups use a double underscore)."""

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class TemporalSettings(BaseModel):
    """How to reach Temporal. What is left unset here comes from the SDK's own configuration
    (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, a temporal.toml
    profile), else from the defaults in recall.temporal; see recall.temporal.connect_options."""

    address: str | None = None  # localhost:7233
    namespace: str | None = None  # default
    task_queue: str = "recall"
    api_key: SecretStr | None = None  # implies TLS unless tls is false
    # None: TLS when a CA, a client pair, a server name or an API key is set.
    tls: bool | None = None
    tls_ca_path: Path | None = None  # else the system's roots
    tls_cert_path: Path | None = None  # with tls_key_path: a client certificate (mTLS)
    tls_key_path: Path | None = None
    tls_server_name: str | None = None  # the name the server's certificate is checked against
    sdk_config: bool = True  # read TEMPORAL_* and temporal.toml (`recall up` does not)


class WorkerSettings(BaseModel):
    """Slots of one worker process; None leaves the SDK's default (100 of each)."""

    # The SDK needs two or more while it caches workflows.
    max_concurrent_workflow_tasks: int | None = Field(None, ge=2)
    max_concurrent_activities: int | None = Field(None, ge=1)


class DeadlineSettings(BaseModel):
    """Defaults follow the Chinese consumer-product recall rules as far as they could be checked."""

    plan_working_days: int = Field(10, ge=0)
    progress_report_days: int = Field(30, ge=1)
    summary_working_days: int = Field(15, ge=0)
    utc_offset_hours: int = 8
    # e.g. RECALL_DEADLINES__HOLIDAYS='["2026-10-01","2026-10-02"]'
    holidays: list[date] = []
    extra_workdays: list[date] = []


class DashboardSettings(BaseModel):
    """The public dashboard's shared figures (recall.dashboard.cache)."""

    # Figures are counted again once they are this old, and never served twice as old; a
    # commit in this process that wrote what they count (the worker of `recall up`) makes them
    # count again at once. 0 counts for every request (those arriving meanwhile share a count).
    max_age_seconds: float = Field(2.0, ge=0, le=60)
    max_keys: int = Field(256, ge=1)  # filters remembered, the least recently used dropped


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RECALL_", env_nested_delimiter="__")

    data_dir: Path = Path(".recall-data")
    database_url: str | None = None
    temporal: TemporalSettings = TemporalSettings()
    # Flat aliases documented in API.md; they win over the nested group when set.
    temporal_address: str | None = None
    temporal_namespace: str | None = None
    worker: WorkerSettings = WorkerSettings()
    # On SIGTERM the API and the worker take nothing new and give what is in flight this long.
    shutdown_grace_seconds: float = Field(20, ge=0)
    deadlines: DeadlineSettings = DeadlineSettings()
    webhook_url: str | None = None
    command_timeout_seconds: float = 10.0
    max_body_kb: int = Field(1024, ge=1)  # a request body (JSON); larger is 413
    max_upload_mb: int = Field(20, ge=1)  # a multipart upload (imports, files); larger is 413
    session_hours: float = Field(8, gt=0, le=24 * 30)  # a browser session, from its sign-in
    dashboard: DashboardSettings = DashboardSettings()
    # How long a workflow's outbox waits before it writes again what the API wrote as it answered
    # (workflows.journal); given to each workflow the API starts. 0: at once.
    backstop_delay_seconds: float = Field(2.0, ge=0, le=60)
    log_level: str = "INFO"
    log_json: bool = True
    # A Server-Timing header on every answer (recall.observability.timing): for measuring.
    server_timing: bool = False

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'recall.db').resolve()}"

    @property
    def temporal_target(self) -> str | None:
        """The address RECALL_* sets, if any (recall.temporal.connect_options has the one used)."""
        return self.temporal_address or self.temporal.address

    @property
    def namespace(self) -> str | None:
        return self.temporal_namespace or self.temporal.namespace

    @property
    def task_queue(self) -> str:
        return self.temporal.task_queue


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_problem(err: ValidationError) -> str:
    """A refused RECALL_* variable as one line that names it."""
    problems = []
    for error in err.errors():
        names = [str(part).upper() for part in error["loc"] if isinstance(part, str)]
        problems.append(f"RECALL_{'__'.join(names)}: {error['msg']}")
    return "; ".join(problems)
