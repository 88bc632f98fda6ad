"""The front page's trending score: a pure function of a story's activity counts.

    score = (1 + a24 + 0.25 * (a72 - a24) + 2 * o24)      velocity: new articles, new outlets
          * (1 + log2(articles) + log2(outlets))            size and breadth
          * 2 ** (-hours_since_last_article / 24)           recency: halves every day of silence

a24 / a72: the story's articles first seen in the 24 / 72 hours before the reference time; o24: the
distinct outlets among the 24-hour ones. The reference time is now, or the newest story activity in
the store when that is older (an archive of last year's news still has a front page). A second
outlet picking a story up counts twice as much as another article from one outlet: syndication and
follow-ups by many newsrooms are what make a story big, not one site's live blog.
"""

from __future__ import annotations

import math
from datetime import datetime

from dateline.store.reader import StoryActivity

HALF_LIFE_HOURS = 24.0
OUTLET_WEIGHT = 2.0
OLDER_ARTICLE_WEIGHT = 0.25


def trending_score(activity: StoryActivity, reference: datetime) -> float:
    velocity = (
        1.0
        + activity.articles_day
        + OLDER_ARTICLE_WEIGHT * max(0, activity.articles_3days - activity.articles_day)
        + OUTLET_WEIGHT * activity.outlets_day
    )
    breadth = 1.0 + math.log2(max(1, activity.articles)) + math.log2(max(1, activity.outlets))
    hours = max(0.0, (reference - activity.last_seen).total_seconds() / 3600.0)
    return velocity * breadth * 2.0 ** (-hours / HALF_LIFE_HOURS)


def rank_trending(activities: list[StoryActivity], reference: datetime) -> list[tuple[StoryActivity, float]]:
    """ACTIVITIES with their scores, highest first (ties: most recent, then id, so pages are stable)."""
    scored = [(activity, trending_score(activity, reference)) for activity in activities]
    scored.sort(key=lambda pair: (-pair[1], -pair[0].last_seen.timestamp(), pair[0].story_id))
    return scored
