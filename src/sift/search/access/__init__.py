"""Who may read what: search's projection of the documents service's collections, grants and
documents (fed by its events), and the access checks every search path applies."""
