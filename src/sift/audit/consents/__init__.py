"""Consents (GDPR): what a person agreed to, with the full history of their choices."""
