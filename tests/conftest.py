from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dateline.settings import Settings
from dateline.store import SqliteStore, open_store

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "dateline.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStore]:
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def settings(db_path: Path) -> Settings:
    # One worker: tests stay deterministic and do not pay for a process pool.
    return Settings(db_path=db_path, workers=1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED_DATA.exists():
        return
    skip = pytest.mark.skip(reason="../shared/data is absent")
    for item in items:
        if "data" in item.keywords:
            item.add_marker(skip)
