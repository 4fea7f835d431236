"""Settings of e-mail delivery (`SIFT_NOTIFICATIONS_DELIVERY_*`): attempts and backoff."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings


class DeliverySettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_NOTIFICATIONS_DELIVERY_")

    # Sends a delivery may try before it is dead (transient refusals only: a permanent
    # one fails at once).
    max_attempts: int = Field(default=5, ge=1, le=50)
    # Waits between attempts double from this, with jitter, up to `retry_max_seconds`
    # (below the broker's visibility timeout, or a waiting retry is delivered twice).
    retry_base_seconds: float = Field(default=30, gt=0)
    retry_max_seconds: float = Field(default=600, gt=0)
    # A delivery claimed longer ago than this by a worker that is gone was cut short
    # mid-send: sent again if its worker never handed it over, else dead, never sent twice
    # on its own (the provider may have taken it). Above the longest send (the timeout).
    stale_after_seconds: int = Field(default=300, ge=1)
    # A delivery still queued this long after its last change lost its task message (a
    # process died between commit and enqueue): the sweep sends it again. Above the
    # broker's visibility timeout plus the longest retry wait, so that a retry still on
    # its way is not raced.
    queued_grace_seconds: int = Field(default=1800, ge=1)
    # Finished deliveries (and their attempts, addresses and sealed links) are deleted
    # this long after their last change.
    retention_days: int = Field(default=30, ge=1)
