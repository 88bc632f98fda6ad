"""The reader: ``dateline serve``'s web app (pages, JSON API, Atom feeds) and its background scheduler."""
