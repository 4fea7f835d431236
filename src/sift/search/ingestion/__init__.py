"""Ingestion: a stored document version becomes searchable chunks.

extract (text, pages, offsets) -> nlp (language, sentences, keywords) -> chunk -> embed -> index.
The consumer records each announced version and queues `search.ingest.index_version`.
"""
