"""The documents service: Collections, documents, versions and their files."""
