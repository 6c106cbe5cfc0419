"""The one settings object. Built once by an entry point and passed to everything else."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from draftdesk.paths import bundled_dir

EmbeddingBackend = Literal["e5", "minilm", "openai"]
LLMProvider = Literal["auto", "openai", "local", "template"]


class Settings(BaseSettings):
    """Every setting, its env var (DRAFTDESK_<NAME>) and default. README mirrors this table."""

    model_config = SettingsConfigDict(
        env_prefix="DRAFTDESK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("data"), description="Where draftdesk keeps its store and files.")
    knowledge_dir: Path | None = Field(
        None, description="Knowledge base to ingest; empty means the bundled sample."
    )
    chroma_path: Path | None = Field(
        None, description="Embedded Chroma directory; empty means <data_dir>/chroma."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the record database (postgresql+psycopg://… for a team); "
        "empty means SQLite at <data_dir>/draftdesk.db.",
    )
    chroma_url: str | None = Field(
        None, description="A Chroma server (http://host:8000); replaces the embedded store."
    )
    embedding_backend: EmbeddingBackend = Field(
        "e5", description="e5 (multilingual, offline), minilm (English, offline) or openai."
    )
    embedding_batch_size: int = Field(32, ge=1, le=1024, description="Texts per embedding batch.")
    embedding_threads: int = Field(0, ge=0, description="ONNX Runtime threads; 0 = all cores.")
    openai_api_key: SecretStr | None = Field(
        None, description="Key for the OpenAI API (OPENAI_API_KEY is honoured too)."
    )
    openai_base_url: str | None = Field(None, description="An OpenAI-compatible endpoint.")
    openai_embedding_model: str = Field(
        "text-embedding-3-small", description="Embedding model for the openai backend."
    )
    llm_provider: LLMProvider = Field(
        "auto",
        description="openai, local, template, or auto: openai when a key or base URL is set, "
        "else local when installed, else template.",
    )
    llm_model: str = Field("gpt-4o-mini", description="Model name for the openai provider.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds one LLM call may take before it is retried.")
    llm_max_retries: int = Field(
        2, ge=0, le=10, description="Retries of a failed LLM call (exponential backoff, honours Retry-After)."
    )
    llm_temperature: float = Field(0.4, ge=0, le=2, description="Sampling temperature for drafts.")
    local_model_path: Path | None = Field(
        None, description="A GGUF model for the local provider; empty means the packaged Qwen2.5 1.5B."
    )
    local_threads: int = Field(0, ge=0, description="CPU threads for the local model; 0 = all cores.")
    local_context: int = Field(4096, ge=1024, description="Context window (tokens) of the local model.")
    duplicate_embedding_backend: EmbeddingBackend = Field(
        "minilm",
        description="Embedding model of the published-replies collection; minilm keeps a check near 10 ms.",
    )
    duplicate_overlap: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Share of a draft's 4-word runs found in one other reply that makes it a near-duplicate.",
    )
    tone_threshold: float = Field(
        1.0,
        gt=0,
        description="Scales how sure the tone model must be before it flags a sentence as "
        "defensive, minimising or stock (2 flags far less, 0.5 far more).",
    )
    duplicate_similarity: float = Field(
        0.95,
        gt=0,
        le=1,
        description="Embedding similarity to a published reply that makes a draft a near-duplicate.",
    )
    max_revisions: int = Field(2, ge=0, le=5, description="Rewrites of a draft that fails its checks.")
    prompts_dir: Path | None = Field(None, description="Prompt files; empty means the bundled prompts.")
    store_name: str = Field("Lumen & Loom", description="The store's name as customers know it.")
    store_contact: str = Field(
        "lumenandloom.example/help", description="Where customers get help; drafts point there."
    )
    host: str = Field("127.0.0.1", description="Address the app listens on.")
    port: int = Field(7860, ge=1, le=65535, description="Port the app listens on.")
    queue_size: int = Field(
        64, ge=1, description="Requests the web app holds waiting; beyond it, users are told to retry."
    )
    queue_concurrency: int = Field(
        2, ge=1, description="Drafts the web app works on at once (a local model uses every core for one)."
    )
    api_rate_limit: int = Field(
        120,
        ge=1,
        description="REST API requests a minute per API key (a burst of as many, then refilled evenly).",
    )
    api_max_body_mb: float = Field(
        64.0, gt=0, description="Largest REST API request body in MB; a larger one is refused with 413."
    )

    batch_concurrency: int = Field(
        4,
        ge=1,
        le=64,
        description="Model calls a batch-job worker makes at once, per process (it keeps half as many "
        "reviews again in progress).",
    )
    batch_item_timeout: float = Field(
        180.0,
        gt=0,
        description="Seconds one review of a batch job may take, every model call included; "
        "then it is retried or fails.",
    )
    batch_max_attempts: int = Field(
        3,
        ge=1,
        le=10,
        description="Drafts of one batch review when the model keeps failing or timing out; "
        "the last one keeps the template reply (or the failure).",
    )
    batch_retry_delay: float = Field(
        5.0,
        ge=0,
        description="Seconds before a batch review whose model failed is tried again; doubles each "
        "attempt, with jitter, and never less than the model's Retry-After.",
    )

    accounts: list[str] = Field(
        default_factory=list,
        description='Sign-in accounts as JSON, each "name:role:bcrypt-hash" (role agent or lead); '
        "`draftdesk users add` keeps accounts in the database instead. None = one local user.",
    )

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        for entry in value:
            name, _, rest = entry.partition(":")
            role, _, digest = rest.partition(":")
            if not name or role not in ("agent", "lead") or not digest.startswith("$2"):
                raise ValueError(
                    f"account {name or entry[:20]!r} is not 'name:agent|lead:bcrypt-hash'; "
                    "make the hash with `draftdesk users hash`"
                )
        return value

    @field_validator("chroma_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError("use a URL such as http://localhost:8000")
        return value

    @property
    def resolved_knowledge_dir(self) -> Path:
        return self.knowledge_dir or bundled_dir("knowledge")

    @property
    def filed_knowledge_dir(self) -> Path:
        """Knowledge written by the app (resolved incidents), in the knowledge/ format, kept apart from
        the company's own directory so that re-ingesting it never deletes what was filed."""
        return self.data_dir / "knowledge"

    @property
    def resolved_prompts_dir(self) -> Path:
        return self.prompts_dir or bundled_dir("prompts")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'draftdesk.db').resolve()}"

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    def openai_key(self) -> str | None:
        """DRAFTDESK_OPENAI_API_KEY first, then the conventional OPENAI_API_KEY."""
        import os

        if self.openai_api_key:
            return self.openai_api_key.get_secret_value()
        return os.environ.get("OPENAI_API_KEY") or None
