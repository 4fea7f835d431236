"""The audit service: Audit trail, usage analytics and privacy requests."""
