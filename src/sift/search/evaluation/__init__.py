"""Retrieval evaluation: metrics, golden sets run through the engine, stored runs."""
