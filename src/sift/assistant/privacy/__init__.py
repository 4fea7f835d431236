"""The assistant service's part of privacy requests (export, erasure)."""
