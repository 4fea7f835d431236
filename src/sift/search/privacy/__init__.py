"""The search service's part of privacy requests (export, erasure)."""
