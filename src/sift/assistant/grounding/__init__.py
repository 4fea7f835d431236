"""Grounded prompts, citation resolution and the grounding check."""
