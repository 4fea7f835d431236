"""Transactional outbox, relay to a Redis Stream, consumer groups with idempotency."""
