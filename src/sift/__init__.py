"""Sift: a self-hosted, AI-powered knowledge workspace for teams."""

SERVICES: tuple[str, ...] = (
    "identity",
    "documents",
    "search",
    "assistant",
    "notifications",
    "audit",
)
