"""The documents service's part of privacy requests (export, erasure)."""
