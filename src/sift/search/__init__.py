"""The search service: Hybrid full-text and semantic search over the caller's documents."""
