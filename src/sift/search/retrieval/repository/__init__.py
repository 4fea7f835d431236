"""All SQL of retrieval, one repository per concern: the chunks read back (`chunks`), BM25
over the postings (`bm25`) and k-NN over the vectors (`vectors`). Every statement embeds the
scope's permission conditions (`sift.search.retrieval.scope`)."""
