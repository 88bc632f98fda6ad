"""Extraction: from one document's bytes to the fields of an article (one module per input format)."""
