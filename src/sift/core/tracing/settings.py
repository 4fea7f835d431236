"""`SIFT_TRACING_*`: whether spans are made, where they go, how many are kept."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings

TRACES_PATH = "/v1/traces"


class TracingSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_TRACING_")

    enabled: bool = False
    # An OTLP/HTTP receiver (an OpenTelemetry Collector, Jaeger, Tempo...): its base URL,
    # to which /v1/traces is added, or the full traces URL.
    otlp_endpoint: str = "http://127.0.0.1:4318"
    # Share of new traces kept; a request that arrives with a sampling decision keeps it.
    sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    export_timeout_seconds: float = Field(default=10.0, gt=0)
    # Where `sift gateway spans` listens for nginx's span lines (syslog over UDP).
    gateway_spans_host: str = "127.0.0.1"
    gateway_spans_port: int = Field(default=4319, ge=1, le=65535)

    @property
    def traces_url(self) -> str:
        url = self.otlp_endpoint.rstrip("/")
        return url if url.endswith(TRACES_PATH) else url + TRACES_PATH
