"""The Celery app: Redis broker, a queue per service, safe retries, dead letters.

Tasks are named `service.domain.verb` and routed by that name: to the queue named by the
domain when it is one of NAMED_QUEUES (`search.ingest.document` -> `ingest`), else to the
service's queue (`identity.tokens.purge` -> `identity`). A name that fits neither is
refused when sent, so no task can wait on a queue that no worker reads.

Delivery is at least once (`acks_late`; a task whose worker dies is redelivered), so
tasks must be idempotent. Transient errors are retried with exponential backoff and
jitter; a task that fails for good (retries exhausted or a permanent error) leaves a
record in the dead-letter stream `<prefix>tasks:dead` for an admin to inspect or replay.

Enqueue from request code with `enqueue_after_commit(session, task, ...)`: the message
leaves only once the transaction commits, never for work that was rolled back.

- `app`: the Celery app and its configuration; `settings`: `SIFT_TASKS_*`;
- `routing`: queues and the name-to-queue rule; `base`: the base task and its retries;
- `dead_letters`: the dead-letter stream; `enqueue`: enqueue after commit;
- `signals`: request IDs, logs and metrics of each run; `metrics`: their Prometheus series.
"""

from sift.core.tasks import signals as signals  # connects the handlers on import
from sift.core.tasks.app import celery_app, celery_config, configure_celery, task_settings
from sift.core.tasks.base import TRANSIENT_ERRORS, SiftTask, TransientError
from sift.core.tasks.dead_letters import DEAD_LETTER_STREAM, record_dead_letter
from sift.core.tasks.enqueue import enqueue_after_commit, flush_enqueued
from sift.core.tasks.routing import ALL_QUEUES, DEFAULT_QUEUE, NAMED_QUEUES, queue_for
from sift.core.tasks.settings import TaskSettings

__all__ = [
    "ALL_QUEUES",
    "DEAD_LETTER_STREAM",
    "DEFAULT_QUEUE",
    "NAMED_QUEUES",
    "TRANSIENT_ERRORS",
    "SiftTask",
    "TaskSettings",
    "TransientError",
    "celery_app",
    "celery_config",
    "configure_celery",
    "enqueue_after_commit",
    "flush_enqueued",
    "queue_for",
    "record_dead_letter",
    "task_settings",
]
