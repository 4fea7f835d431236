"""E-mail delivery: events become mails, each tracked as a delivery with its attempts,
sent by a Celery task on the `deliver` queue with retries, dead-lettered after N failures."""
