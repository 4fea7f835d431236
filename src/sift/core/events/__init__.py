"""Transactional outbox, relay to a Redis Stream, consumer groups with idempotency.

- `tables`: the outbox and processed_events tables every service schema holds;
- `outbox`: `publish` / `EventPublisher`, inside the caller's transaction;
- `relay`: committed outbox rows to the stream (`sift relay`);
- `consumer`: `Consumer` definitions and the workers that apply events once;
- `dead_letters`: list, re-drive or discard events a consumer group gave up on;
- `bus`: stream keys and entry encoding shared by all of them; `metrics`: Prometheus counters.
"""
