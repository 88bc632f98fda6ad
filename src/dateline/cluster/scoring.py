"""How likely an article (or a story) belongs with a story: a small logistic model over similarities.

The model's inputs are the similarities of the three feature views and the time between them
(``pair_features``); its weights and the decision thresholds are fitted on labelled data by
``python -m bench.story_model`` and pasted into ``DEFAULT_MODEL`` with the data they came from, so
nothing here is set by hand per corpus.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

FEATURE_NAMES: tuple[str, ...] = (
    "embedding_centroid",  # cosine of the article's embedding with the story's mean embedding
    "embedding_nearest",  # cosine with the story's most similar member
    "terms",  # TF-IDF cosine with the story's summed term vector
    "terms_nearest",  # TF-IDF cosine with the most similar of the story's compared members
    "entities_shared",  # share of the article's entity weight the story also has (weighted by how core)
    "entities_core",  # share of the story's core entities the article names
    "entities_missing",  # share of the article's entity weight (groups aside) the story never named
    "gap_days",  # log(1 + days) between the article and the story's nearest activity; 0 when undated
    "undated",  # 1 when either side has no publication date
)


@dataclass(frozen=True, slots=True)
class StoryModel:
    """Logistic weights over ``FEATURE_NAMES`` and the decision thresholds on its probability."""

    weights: tuple[float, ...]
    bias: float
    join: float  # join the best candidate story when its probability reaches this
    merge: float  # maintenance merges two stories whose profiles reach this
    thread: float  # threads link stories whose profiles reach this (lower: same subject, later event)
    thread_days: float = 120.0  # stories further apart than this never join a thread
    trained_on: str = ""

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(same story) for each row of FEATURES (shape n x len(FEATURE_NAMES))."""
        logits = features @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40)))


def sparse_dot(left: Sequence[tuple[str, float]], right: Mapping[str, float]) -> float:
    return sum(weight * right.get(key, 0.0) for key, weight in left)


def gap_feature(days: float | None) -> float:
    return 0.0 if days is None else math.log1p(max(0.0, days))


def fit_logistic(
    features: np.ndarray, labels: np.ndarray, *, l2: float = 1.0, iterations: int = 50
) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (IRLS); returns (weights, bias).

    Small and dependency-free: the model has seven inputs and is fitted on tens of thousands of
    teacher-forced (article, story) pairs in a second.
    """
    rows, columns = features.shape
    design = np.hstack([features, np.ones((rows, 1))])
    theta = np.zeros(columns + 1)
    penalty = np.eye(columns + 1) * l2
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        probabilities = 1.0 / (1.0 + np.exp(-np.clip(design @ theta, -40, 40)))
        gradient = design.T @ (probabilities - labels) + penalty @ theta
        curvature = (design * (probabilities * (1 - probabilities))[:, None]).T @ design + penalty
        step = np.linalg.solve(curvature, gradient)
        theta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return theta[:-1], float(theta[-1])


# Fitted by `python -m bench.story_model` (BENCHMARKS.md, "Issue 4: story clustering (cluster.v1)"): weights
# from teacher-forced (article, candidate story) rows of WCEP 2025 January and ECB+ topics 1-35; join and
# merge thresholds with the best mean B-cubed F1 over both streams; thread threshold with the best B-cubed
# F1 against WCEP January's level-2 stories. Rerun that command after changing any feature, and paste.
DEFAULT_MODEL = StoryModel(
    weights=(4.0586, 2.9515, 2.9937, 2.5071, 0.4273, 0.7681, -1.5795, -0.9691, -1.1273),
    bias=-5.4542,
    join=0.08,
    merge=0.5,
    thread=0.2,
    thread_days=120.0,
    trained_on="WCEP 2025-01 + ECB+ topics 1-35",
)
