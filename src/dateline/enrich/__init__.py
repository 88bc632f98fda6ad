"""Enrichment: the facts in an article's text, each traced to its sentence and character span.

Stages here are pure functions over ``Article`` and the enrichment records in
``dateline.models``; ``enrich_article`` runs them in order. Nothing here
touches the store: ``dateline.pipeline`` saves the result and links entities
across articles.
"""
