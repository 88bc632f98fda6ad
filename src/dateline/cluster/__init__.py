"""Story clustering (issue 4): article features, the same-story model, online clustering and threads."""

from dateline.cluster.online import CLUSTER_VERSION, StoryClusterer, story_id_for

__all__ = ["CLUSTER_VERSION", "StoryClusterer", "story_id_for"]
