"""The notifications service's part of privacy requests (export, erasure, "export ready")."""
