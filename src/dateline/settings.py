"""One typed settings object, built at the entry point and passed down (no module globals)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_path

DB_ENV_VAR = "DATELINE_DB"


def default_db_path() -> Path:
    """``$DATELINE_DB`` if set, else ``dateline.db`` in the user's data directory (XDG on Linux)."""
    override = os.environ.get(DB_ENV_VAR)
    if override:
        return Path(override).expanduser()
    return user_data_path("dateline", appauthor=False) / "dateline.db"


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = "Dateline/0.1 (+local-first news reader; https://github.com/dateline-news)"
    timeout_s: float = 20.0
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    per_host_interval_s: float = 1.0  # at most one request a second to the same host
    respect_robots: bool = True
    allow_private_addresses: bool = False  # SSRF guard: loopback/private/link-local refused unless set


@dataclass(frozen=True)
class Settings:
    db_path: Path = field(default_factory=default_db_path)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    max_document_bytes: int = 50 * 1024 * 1024  # larger inputs are refused with a recorded error
    workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    near_duplicate_threshold: float = 0.8  # estimated Jaccard of word 5-shingles
    fetch_linked_pages: bool = True  # fetch a feed entry's page when the feed carries only a teaser
    enrich: bool = True  # run the enrichment stage (entities, quotes, figures, dates) after extraction
    stories: bool = True  # cluster new articles into stories and threads after enrichment
    # Stories last active longer ago than this are closed: new articles never join them and threads
    # reach no further back (the model's thread horizon is 120 days).
    story_window_days: int = 120
