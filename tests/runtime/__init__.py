"""Tests of the `sift` runtime: CLI, gateway, supervisor, scheduler."""
