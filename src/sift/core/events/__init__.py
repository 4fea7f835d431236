"""Transactional outbox, relay to a Redis Stream, consumer groups with idempotency.

- `tables`: the outbox and processed_events tables every service schema holds;
- `outbox`: `publish` / `EventPublisher`, inside the caller's transaction;
- `relay`: committed outbox rows to the stream (`sift relay`);
- `consumer`: `Consumer`, a group's definition (name, handlers by event type);
- `worker`: a group member that reads and acknowledges events; `handling`: triage, apply
  once, retry or dead-letter; `batch`: a batch of events in one transaction, with the
  consumer's hooks; `members`: member names, pruning;
- `runner`: a consumer process (`run_consumer`) or one batch (`consume_once`);
- `dead_letters`: list, re-drive or discard events a consumer group gave up on;
- `bus`: stream keys and entry encoding shared by all of them; `metrics`: Prometheus counters.
"""
