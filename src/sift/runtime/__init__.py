"""The `sift` command: up, serve, worker, scheduler, relay, migrate."""
