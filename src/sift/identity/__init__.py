"""The identity service: Accounts, organizations, sessions and access tokens."""
