"""Settings of the Celery app and its workers (environment variables `SIFT_TASKS_*`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings


class TaskSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_TASKS_")

    soft_time_limit: int = 300  # the task gets SoftTimeLimitExceeded and can clean up
    time_limit: int = 360  # then the worker process is killed
    # Redis redelivers an unacknowledged message after this: it must exceed the longest
    # task run and the longest retry countdown (retry_backoff_max), or work is duplicated.
    # A crashed worker's task comes back after this; above the hard time limit (360 s)
    # and the longest retry countdown (600 s) so that no live task is delivered twice.
    visibility_timeout: int = 900
    result_expires: int = 24 * 3600
    dead_letter_maxlen: int = 100_000
    # A worker process past this resident size is replaced after its current task (the
    # embedding model's allocator caches grow over thousands of documents); 0: never.
    max_memory_per_child_mib: int = Field(default=1400, ge=0)
