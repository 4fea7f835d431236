"""Identity's part of privacy requests: re-authentication, export, and deleting the account."""
