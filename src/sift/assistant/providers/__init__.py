"""LLM providers behind one interface (`Provider`) and the failover chain over them."""
