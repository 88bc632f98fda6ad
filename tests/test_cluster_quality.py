"""Pinned quality floor for story clustering on real data (skipped when ../shared/data is absent).

Two WCEP 2025 months as dated streams, B-cubed F1 on leaf stories with >= 3 briefs, as
`python -m bench.story_model` scores them, but without enrichment (entity overlap off) so the test
takes seconds: measured 0.657 (March) and 0.728 (July) on 2026-11-22 with `cluster.v1`'s shipped model.
A change that drops below the floors has made clustering worse; rerun the bench before moving them.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.data

FLOORS = {"2025-03": 0.64, "2025-07": 0.71}


@pytest.mark.parametrize("month", sorted(FLOORS))
def test_wcep_month_floor(month: str) -> None:
    from bench.stories import _wcep_month, wcep_months
    from bench.story_model import bare_article, cluster, scored_f1

    from dateline.cluster.features import SentenceEncoder, story_features
    from dateline.cluster.scoring import DEFAULT_MODEL

    items, gold, scored = _wcep_month(wcep_months()[month])
    articles = [bare_article(item) for item in items]
    features = story_features(articles, [None] * len(articles), SentenceEncoder())
    f1 = scored_f1(cluster(features, DEFAULT_MODEL), gold, scored)
    assert f1 >= FLOORS[month]
