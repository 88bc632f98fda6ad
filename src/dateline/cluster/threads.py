"""Threads: stories linked over weeks because they continue one subject with the same core actors.

``build_threads`` is pure: stories and the links the clusterer found between them in, ``Thread``
records out. Linked stories form connected components; a component keeps the thread id one of its
stories already had, so a thread's id survives new stories joining it, else
it takes ``t-`` + the id of its earliest story.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dateline.cluster.online import CLUSTER_VERSION
from dateline.models import Story, Thread


def build_threads(
    stories: Sequence[Story],
    links: Iterable[tuple[str, str, float]],
    known: Mapping[str, str] | None = None,
) -> list[Thread]:
    """Threads of two or more stories, each listing its stories by first_seen; oldest thread first."""
    by_id = {story.id: story for story in stories}
    parent = {story_id: story_id for story_id in by_id}

    def find(story_id: str) -> str:
        while parent[story_id] != story_id:
            parent[story_id] = parent[parent[story_id]]
            story_id = parent[story_id]
        return story_id

    def union(left: str, right: str) -> None:
        a, b = find(left), find(right)
        if a != b:
            parent[max(a, b)] = min(a, b)

    known = known or {}
    # Stories already threaded together stay together: links are only searched around new articles.
    first_of_thread: dict[str, str] = {}
    for story_id in by_id:
        thread_id = known.get(story_id)
        if thread_id is not None:
            union(first_of_thread.setdefault(thread_id, story_id), story_id)
    for left, right, _ in links:
        if left in parent and right in parent:
            union(left, right)
    components: dict[str, list[Story]] = {}
    for story_id, story in by_id.items():
        components.setdefault(find(story_id), []).append(story)
    threads: list[Thread] = []
    for members in components.values():
        members.sort(key=lambda story: (story.first_seen, story.id))
        # Where a new link joined two threads, the oldest story's thread id wins. Stories that shared an id
        # were joined above, so no two components can come out with the same id.
        previous = next((known[story.id] for story in members if story.id in known), None)
        if len(members) < 2 and previous is None:
            continue
        thread_id = previous or f"t-{members[0].id}"
        threads.append(
            Thread(
                id=thread_id,
                title=_thread_title(members),
                story_ids=tuple(story.id for story in members),
                first_seen=members[0].first_seen,
                last_seen=max(story.last_seen for story in members),
                algorithm=CLUSTER_VERSION,
            )
        )
    return sorted(threads, key=lambda thread: (thread.first_seen, thread.id))


def _thread_title(members: Sequence[Story]) -> str:
    """The title of its largest story (the earliest among equals): what the thread is mostly about."""
    # max keeps the first of equals, and MEMBERS are in time order
    return max(members, key=lambda story: len(story.article_ids)).title
