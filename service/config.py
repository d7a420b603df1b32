"""Settings: one ``Settings`` object, env prefix ``JIXIAO_``, nested groups.

Nested values use a double underscore (``JIXIAO_LIMITS__MAX_PAGES=200``); the most common
ones also have flat aliases documented in the README. Stages receive the group they need
(``ingest`` gets ``Limits``), never the whole settings object.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Limits(BaseModel):
    """What an upload may be before anything heavy runs."""

    max_bytes: int = Field(50 * 1024 * 1024, gt=0, description="Largest accepted file, bytes.")
    max_pages: int = Field(300, gt=0, description="Most pages read from one document.")
    max_image_pixels: int = Field(
        60_000_000, gt=0, description="Largest decoded image or rendered page, pixels."
    )
    max_text_chars: int = Field(
        5_000_000, gt=0, description="Most characters of text read from one document."
    )
    max_line_chars: int = Field(
        500_000, gt=0, description="Longest line of text, characters (a one-line file)."
    )


class OCRSettings(BaseModel):
    """The offline OCR engine (rapidocr with its bundled models)."""

    dpi: int = Field(200, ge=72, le=400, description="Render scanned PDF pages at this dpi.")
    min_text_chars: int = Field(
        20, ge=0, description="A PDF page with fewer text-layer characters is OCR'd."
    )
    threads: int = Field(
        0,
        ge=0,
        le=256,
        description="Threads of the OCR engine in each job process. 0: a worker or server "
        "shares the host's cores out among its job processes (cores ÷ workers.count, at "
        "least 1); outside them, every core. Several workers on one host: set cores ÷ "
        "their job processes in all (two threads each on the same cores cost ~40% more "
        "CPU a page). Never changes what is read.",
    )


class ConvertSettings(BaseModel):
    """LibreOffice, which converts legacy Word/WPS/RTF files to DOCX and OpenDocument/WPS
    spreadsheets (.ods, an .et xlrd cannot read) to XLSX before reading them."""

    soffice: str = Field(
        "soffice", description="The LibreOffice program: a name on PATH or a full path."
    )
    timeout_seconds: float = Field(
        120.0, gt=0, le=3600, description="Longest one conversion may take; then it is killed."
    )
    cache_dir: Path | None = Field(
        None,
        description="Converted files, named by the original's sha256; "
        "default <data_dir>/convert-cache (None outside the service: no cache).",
    )


class DatabaseSettings(BaseModel):
    """How the service uses its database (the URL itself is the flat ``database_url``)."""

    auto_migrate: bool = Field(
        True,
        description="Upgrade the schema at start. Off: refuse to start on an out-of-date "
        "schema and say which command upgrades it (`jixiao db upgrade`).",
    )
    echo: bool = Field(False, description="Log every SQL statement (debugging only).")
    pool_size: int = Field(10, ge=1, le=200, description="Connections kept open (PostgreSQL).")


class StorageSettings(BaseModel):
    """Where uploaded files and derived artefacts (page images) live."""

    backend: Literal["local", "s3"] = Field(
        "local",
        description="local: a folder (or a shared mount); s3: S3-compatible object storage "
        "(the `s3` extra; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or "
        "boto3's other usual sources).",
    )
    path: Path | None = Field(
        None, description="Folder for stored files (local); default: <data_dir>/files."
    )
    bucket: str | None = Field(None, description="s3: the bucket (created by the operator).")
    endpoint_url: str | None = Field(
        None, description="s3: the server, e.g. http://minio:9000; unset: AWS S3."
    )
    prefix: str = Field("", max_length=256, description="s3: put before every key, e.g. jixiao/.")
    region: str | None = Field(None, description="s3: the region, where the server needs one.")

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> StorageSettings:
        if self.backend == "s3" and not self.bucket:
            raise ValueError("storage.backend=s3 needs storage.bucket (JIXIAO_STORAGE__BUCKET)")
        return self


class WorkerSettings(BaseModel):
    """The embedded job runner (in-process, bounded thread pool)."""

    embedded: bool = Field(
        True, description="Run jobs inside the API process. Off: only enqueue them."
    )
    count: int = Field(2, ge=1, le=64, description="Jobs processed at the same time.")
    isolation: Literal["process", "thread"] = Field(
        "process",
        description="Where reading and extraction run: worker processes (the API stays "
        "responsive; a native crash costs one retry) or threads of the API process.",
    )
    lease_seconds: float = Field(
        120.0, gt=0, description="A job whose worker sent no heartbeat for this long is retaken."
    )
    heartbeat_seconds: float = Field(10.0, gt=0, description="How often a busy worker says so.")
    poll_seconds: float = Field(2.0, gt=0, description="How often idle workers look for work.")
    max_attempts: int = Field(3, ge=1, le=20, description="Tries before a job is failed for good.")
    retry_delay_seconds: float = Field(5.0, ge=0, description="Wait before retrying a job.")
    job_timeout_seconds: float = Field(
        900.0,
        gt=0,
        description="Longest a job may read and extract (process isolation): past it the job "
        "fails with job_timeout and is not retried, so one pathological file cannot hold a "
        "worker while the queue waits.",
    )
    memory_mb: int | None = Field(
        4096,
        ge=64,
        description="Memory (address space, MiB) one job may add to its worker process "
        "(process isolation): an allocation past it fails the job with job_too_large, not "
        "retried, instead of swapping or waking the OOM killer. None: no budget.",
    )
    extractor: Literal["auto", "rules", "llm"] = Field(
        "auto", description="Extractor used when an upload does not name one."
    )


class QueueSettings(BaseModel):
    """The scale-out engine: Celery over a broker. No ``broker_url`` → the embedded runner
    (or ``jixiao worker`` polling the job table), exactly as without this group."""

    broker_url: str | None = Field(
        None,
        description="Celery broker, e.g. redis://127.0.0.1:6379/0 or "
        "amqp://guest:guest@127.0.0.1:5672//. Set: uploads are sent to Celery and "
        "`jixiao worker` starts a Celery worker. See docs/scaling.md.",
    )
    prefix: str = Field(
        "",
        max_length=64,
        description="Put before the queue names (ocr, extract, llm), e.g. `staging-`: "
        "deployments sharing a broker keep apart.",
    )
    concurrency: int | None = Field(
        None, ge=1, le=256, description="Jobs one `jixiao worker` runs at once; default: cores."
    )
    reconcile_seconds: float = Field(
        60.0, gt=0, description="How often the API re-sends jobs the broker lost."
    )
    resend_after_seconds: float = Field(
        300.0,
        gt=0,
        description="A queued job sent this long ago and missing from the broker is sent again.",
    )
    visibility_timeout_seconds: float | None = Field(
        None,
        gt=0,
        description="Redis: a task taken by a worker that died is delivered again after this "
        "long; default job timeout + lease. A duplicate delivery is harmless (the job row "
        "is the lock).",
    )
    split_pages: int = Field(
        4,
        ge=0,
        le=300,
        description="A scanned PDF of more pages than this is OCR'd in page tasks of this many "
        "pages on the `ocr` queue, spread over the workers, and joined in page order; 0: "
        "never split.",
    )


class AuthSettings(BaseModel):
    """API keys with roles (uploader < reviewer < admin)."""

    enabled: bool = Field(
        True, description="Off: every request acts as an anonymous admin (local use only)."
    )
    bootstrap_admin_key: SecretStr | None = Field(
        None,
        description="Admin key to create on a fresh database instead of a generated one "
        "(containers, CI). Ignored once any key exists.",
    )


class UISettings(BaseModel):
    """The reviewer web UI (/ui): its session cookie and the evaluation set it feeds."""

    session_secret: SecretStr | None = Field(
        None,
        description="Key that signs session cookies; default: a random one kept in "
        "<data_dir>/ui-session-secret (share it, or the folder, between API processes).",
    )
    session_hours: float = Field(
        12.0,
        gt=0,
        le=24 * 30,
        description="Absolute session lifetime: a session ends this long after login, "
        "however busy (logout or revoking the key ends it at once).",
    )
    session_idle_minutes: float = Field(
        60.0,
        gt=0,
        le=24 * 60 * 30,
        description="A session unused this long ends (checked by the server on every "
        "request from the cookie's signed last-use time, renewed as the session is used).",
    )
    cookie_secure: bool | None = Field(
        None, description="Secure flag of the cookies; default: on when the request is HTTPS."
    )
    eval_set_dir: Path | None = Field(
        None,
        description="Folder of the evaluation set's manifest.json, where approved documents "
        "are added; default: eval/set of the source checkout, when there is one.",
    )
    eval_labels_dir: Path | None = Field(
        None, description="Where promoted labels are written; default: <eval_set_dir>/../labels."
    )
    eval_reports_dir: Path | None = Field(
        None,
        description="Folder of the evaluation reports (jixiao eval --out); only files under "
        "it are served; default: eval/out of the source checkout, when there is one.",
    )


class ReviewSettings(BaseModel):
    """How documents are signed off (审核): one level, or 初审 then 复核 by another person."""

    two_level: bool = Field(
        False,
        description="Two-level review: 初审 by a reviewer, then 复核 by a different person "
        "with `second_role`. Off: one sign-off (审核通过) by a reviewer.",
    )
    second_role: Literal["reviewer", "admin"] = Field(
        "admin", description="The role that may do 复核 (and return a document after 初审)."
    )


class LLMSettings(BaseSettings):
    """The LLM endpoint: any OpenAI-compatible server (OpenAI, DeepSeek, Qwen/DashScope, vLLM,
    Ollama, llama.cpp's server). No ``base_url`` (or no ``model``) → the LLM extractor is off.

    Flat env names (``JIXIAO_LLM_BASE_URL``, ``JIXIAO_LLM_MODEL``, ``JIXIAO_LLM_API_KEY``,
    ``JIXIAO_LLM_MODE``…) are read by this class itself; the nested form
    (``JIXIAO_LLM__BASE_URL``) works too, and wins where both are set. See docs/llm.md.
    """

    model_config = SettingsConfigDict(env_prefix="JIXIAO_LLM_", env_file=".env", extra="ignore")

    base_url: str | None = Field(None, description="e.g. https://api.deepseek.com/v1")
    model: str | None = Field(None, description="Model name the endpoint expects.")
    api_key: SecretStr | None = Field(None, description="Bearer key; local servers need none.")
    provider: (
        Literal["openai", "deepseek", "qwen", "vllm", "ollama", "llamacpp", "other"] | None
    ) = Field(None, description="Picks the default mode; guessed from base_url when unset.")
    mode: Literal["tools", "json_schema", "json", "md_json"] | None = Field(
        None, description="Instructor mode; default per provider (docs/llm.md)."
    )
    timeout_s: float = Field(60.0, gt=0, description="Per HTTP request.")
    max_concurrency: int = Field(4, ge=1, le=64, description="Calls in flight per document.")
    max_retries: int = Field(3, ge=0, le=10, description="Retries on 429/5xx/timeouts.")
    max_validation_retries: int = Field(
        2, ge=0, le=5, description="Re-asks with the validation errors fed back to the model."
    )
    backoff_s: float = Field(1.0, ge=0, description="First backoff; doubles per retry.")
    price_per_1k_prompt: float = Field(0.0, ge=0, description="Cost report only.")
    price_per_1k_completion: float = Field(0.0, ge=0, description="Cost report only.")
    cache_enabled: bool = True
    cache_dir: Path | None = Field(None, description="Default: <data_dir>/llm-cache.")
    max_input_tokens: int = Field(
        6000, ge=500, description="Token budget of document text per call; longer sections split."
    )
    max_output_tokens: int = Field(4096, ge=256)
    max_calls: int | None = Field(
        None,
        ge=1,
        description="Calls per document at most (a cost cap); the chunks holding places the "
        "rules possibly missed are sent first. None: every chunk.",
    )
    temperature: float = Field(0.0, ge=0, le=2)
    requests_per_minute: int | None = Field(
        None,
        ge=1,
        description="Requests the endpoint takes per minute, across every worker sharing "
        "limiter_url (every HTTP attempt counts). None: no limit.",
    )
    tokens_per_minute: int | None = Field(
        None,
        ge=1,
        description="Tokens (prompt + answer) the endpoint takes per minute, likewise; a "
        "request reserves its estimate plus max_output_tokens until the answer says.",
    )
    limiter_url: str | None = Field(
        None,
        description="Redis holding the budgets for all workers (redis://host:6379/0); "
        "default: the Celery broker when it is Redis. None: each process limits itself.",
    )
    limit_window_s: float = Field(
        60.0, gt=0, le=3600, description="The sliding window the budgets count over (seconds)."
    )
    prompts_dir: Path | None = Field(None, description="Default: the repository's prompts/.")

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.model)


def _llm_with_flat_env(value: object) -> object:
    # A nested JIXIAO_LLM__* value arrives as a dict; building LLMSettings from it (rather than
    # letting pydantic validate the dict) keeps the flat JIXIAO_LLM_* names for the other fields.
    return LLMSettings(**value) if isinstance(value, dict) else value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="JIXIAO_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Field(Path("data"), description="Uploads, cache and the SQLite database.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default: SQLite at <data_dir>/jixiao.db. PostgreSQL: "
        "postgresql://user:password@host:5432/dbname (driver psycopg 3).",
    )
    limits: Limits = Field(default_factory=Limits)
    ocr: OCRSettings = Field(default_factory=OCRSettings)
    convert: ConvertSettings = Field(default_factory=ConvertSettings)
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    ui: UISettings = Field(default_factory=UISettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    llm: Annotated[LLMSettings, BeforeValidator(_llm_with_flat_env)] = Field(
        default_factory=LLMSettings
    )

    @model_validator(mode="after")
    def _convert_cache_in_data_dir(self) -> Settings:
        if self.convert.cache_dir is None:
            self.convert = self.convert.model_copy(
                update={"cache_dir": self.data_dir / "convert-cache"}
            )
        return self

    @model_validator(mode="after")
    def _llm_limits_on_the_broker(self) -> Settings:
        """The LLM budgets are shared in the broker's Redis unless another one is named."""
        broker = self.queue.broker_url or ""
        if self.llm.limiter_url is None and broker.startswith(("redis://", "rediss://")):
            self.llm = self.llm.model_copy(update={"limiter_url": broker})
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL to use, with the SQLite default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jixiao.db').resolve()}"

    @property
    def storage_dir(self) -> Path:
        return self.storage.path or self.data_dir / "files"


@lru_cache
def get_settings() -> Settings:
    return Settings()
