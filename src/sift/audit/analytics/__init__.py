"""Usage analytics: roll-ups of the platform's events per organization, and their API."""
