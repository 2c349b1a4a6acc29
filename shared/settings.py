"""One typed settings object for every process, read from the environment."""

from __future__ import annotations

import ipaddress
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET_PLACEHOLDER = "change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLINIC_", extra="ignore")

    env: Literal["local", "test", "production"] = "local"
    # DATABASE_URL and REDIS_URL keep their conventional un-prefixed names.
    database_url: str = Field(
        "postgresql://postgres@127.0.0.1:5432/clinic", validation_alias="DATABASE_URL"
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", validation_alias="REDIS_URL")
    secret_key: str = DEV_SECRET_PLACEHOLDER
    data_dir: Path = Path(".data")
    timezone: str = "Europe/London"
    # Shifts every service's notion of "now"; tests use it to advance days without sleeping.
    clock_offset_seconds: float = 0.0
    public_url: str = "http://127.0.0.1:8000"
    # The clinic's phone number, told to a patient who needs to reach a person (a check-in
    # link used twice, for one); unset, patients are pointed to their appointment letter.
    contact_phone: str | None = None
    # Browser origins allowed to call the API from elsewhere; empty keeps CORS closed.
    cors_origins: list[str] = []
    # Request bodies over these sizes are refused with 413 before they are read (a declared
    # Content-Length up front, a chunked body as it arrives): form posts (urlencoded or
    # multipart; no route takes file uploads) and every other body, JSON included.
    max_json_body_bytes: int = Field(1024 * 1024, ge=1)
    max_form_body_bytes: int = Field(256 * 1024, ge=1)
    # The proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: addresses or
    # networks, comma-separated ("10.0.0.5,10.1.0.0/16"). Empty (the default): the client is
    # the connecting address, whatever headers it sends (the sign-in limits count per address).
    trusted_proxies: Annotated[list[str], NoDecode] = []

    smtp_host: str | None = Field(None, validation_alias="SMTP_HOST")
    smtp_port: int = Field(25, validation_alias="SMTP_PORT")
    smtp_sender: str = "Ankle Clinic <no-reply@clinic.local>"
    # Without an SMTP host, mail lands in this Maildir so a person can open and read it.
    mail_dir: Path | None = None

    # SMS through the provider's HTTP API (POST JSON with a bearer key); no endpoint, no SMS.
    sms_endpoint: str | None = None
    sms_api_key: str | None = None
    sms_sender: str = "AnkleClinic"
    sms_timeout_seconds: float = 10.0
    # The provider signs its reply webhook with this shared secret; unset disables the webhook.
    sms_webhook_secret: str | None = None

    # No reminder reaches a patient between these local times (in the patient's time zone);
    # one that falls due then waits for the end. Equal start and end: no quiet hours.
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(8, 0)
    # A transiently failed delivery waits base * 2^(attempt-1) seconds (capped, plus jitter)
    # and is given up after this many attempts, landing on the failed-deliveries list.
    delivery_max_attempts: int = Field(5, ge=1)
    delivery_retry_base_seconds: float = Field(300.0, ge=0)
    delivery_retry_max_seconds: float = Field(6 * 3600.0, ge=0)

    # A case past its waiting target alerts clinicians again at most this often until one of
    # them acknowledges it (claims the case, or acknowledges on its page).
    breach_alert_repeat_seconds: float = Field(3600.0, gt=0)

    outbox_poll_seconds: float = 0.5
    dispatch_interval_seconds: float = 5.0
    dispatch_batch_size: int = 100
    # Per API process. Overflow connections are closed and reopened under load, so the pool
    # itself covers the expected concurrency (bench: +10-15% submissions/s at 32 clients with a
    # larger pool); PostgreSQL's default 100 connections bound it for several processes.
    db_pool_size: int = 16

    # Retention (shared/retention.py, run by the scheduler's sweep): rows older than these are
    # deleted in bounded batches of retention_batch_size per table per sweep. Published outbox
    # messages; deliveries of follow-ups no longer scheduled; staff sign-in sessions past their
    # expiry or revocation. The audit trail is kept by whole months (shared/audit_partitions.py):
    # a month is dropped once all of it is older than audit_retention_months, and partitions are
    # created this many months ahead.
    outbox_retention_days: float = Field(7.0, gt=0)
    delivery_retention_days: float = Field(365.0, gt=0)
    auth_session_retention_days: float = Field(90.0, gt=0)
    retention_batch_size: int = Field(500, ge=1)
    audit_retention_months: int = Field(96, ge=1)
    audit_partitions_ahead_months: int = Field(3, ge=1)
    # `clinic backup` keeps this many dumps in the data folder's backups/ (oldest removed).
    backup_keep: int = Field(7, ge=1)

    # The sweeper re-publishes work whose effect has not appeared in time (a message lost with a
    # Redis restart, a worker that died for good): a case awaiting triage this long gets a fresh
    # TriageCase; a follow-up this far past its next attempt nudges the dispatcher.
    # A message a consumer had taken when Redis died is gone from Redis (kombu moves it to its
    # unacked set in a second command); the sweep is what brings it back, within a minute.
    sweep_interval_seconds: float = 10.0
    triage_sweep_after_seconds: float = 45.0
    follow_up_sweep_after_seconds: float = 600.0
    # Idempotency-Key records are kept this long; a retry after that is a new request.
    idempotency_key_ttl_hours: float = 24.0

    # CDS Hooks (services/intake/cds_hooks): the base URL EHRs call, which a token's `aud`
    # must name exactly (`<base>/cds-services/<id>`); unset, CLINIC_PUBLIC_URL. The timeout of
    # each request to an EHR's FHIR server or a JWK Set URL.
    cds_hooks_base_url: str | None = None
    cds_fetch_timeout_seconds: float = Field(5.0, gt=0, le=60)

    # Observability (shared/observability). Log lines as JSON objects or readable text; the
    # bearer token /metrics asks for (unset: /metrics refuses every scrape); the port a relay or
    # worker serves its own metrics on, where it shares no metrics folder with an API process
    # (Kubernetes pods; unset under `clinic run`, where the API's /metrics shows every process).
    log_format: Literal["text", "json"] = "text"
    metrics_token: str | None = None
    metrics_port: int | None = Field(None, ge=1, le=65535)
    # Read by the libraries themselves, from the environment, before any setting is built;
    # declared here so that deployments are checked against them like every other variable.
    # prometheus_client's multiprocess folder (shared/observability/metrics.py) and the
    # OpenTelemetry collector traces are exported to (none: no export).
    prometheus_multiproc_dir: Path | None = Field(
        None, validation_alias="PROMETHEUS_MULTIPROC_DIR")
    otel_exporter_otlp_endpoint: str | None = Field(
        None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]
        for item in value if isinstance(value, list) else ():
            ipaddress.ip_network(item, strict=False)  # a typo must not silently trust nothing
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.env == "production" and (
            not self.secret_key or self.secret_key == DEV_SECRET_PLACEHOLDER
        ):
            raise ValueError("CLINIC_SECRET_KEY must be set to a real secret in production")
        if self.env == "production" and self.sms_endpoint and not self.sms_api_key:
            raise ValueError("CLINIC_SMS_API_KEY must be set when CLINIC_SMS_ENDPOINT is")
        return self

    @property
    def maildir(self) -> Path:
        return self.mail_dir or self.data_dir / "mail"


@lru_cache
def get_settings() -> Settings:
    return Settings()
