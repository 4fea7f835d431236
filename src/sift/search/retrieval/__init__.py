"""Search's query engine: BM25 over PostgreSQL full text, pgvector k-NN, fusion, the API."""
