"""Notification preferences: per user, type and channel; quiet hours; digests."""
