"""Asking, summarizing and feedback: the assistant's answers."""
