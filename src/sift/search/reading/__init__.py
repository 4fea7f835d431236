"""A readable document's extracted text, page by page, for the document viewer."""
