"""Saved searches: a user's named queries with filters, optionally notified of new matches."""
