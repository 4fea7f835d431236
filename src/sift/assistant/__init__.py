"""The assistant service: Grounded answers with citations from the caller's documents."""
