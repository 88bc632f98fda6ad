"""Online story clustering: each article joins the most likely story or starts one, in one pass.

``StoryClusterer`` holds the running profiles of the stories it knows (summed embedding, summed term
vector, entity counts, date range) and an index of article embeddings. For a new article it gathers
candidate stories from its nearest articles in embedding space and from recent stories that share its
entities, scores every candidate with the logistic ``StoryModel`` over the similarities of the three
views and the time gap, and joins the best one if its probability reaches the model's ``join``
threshold. Cost per article is bounded by the number of candidates, not by the number of stories:
the embedding index is exact up to ``EXACT_SEARCH_LIMIT`` articles and an HNSW graph (faiss) above.

Everything is deterministic for the same input order: ties go to the older story, the index is built
single-threaded, and story ids derive from the id of the story's first article (``s-<article id>``),
so re-running or rebuilding over the same stream gives the same ids.

The clusterer is in-memory state, not a stage record; ``load`` rebuilds it from stored assignments, so
an interrupted run resumes from what was saved.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from dateline.cluster.scoring import DEFAULT_MODEL, FEATURE_NAMES, StoryModel, gap_feature, sparse_dot
from dateline.models import Story, StoryAssignment, StoryFeatures, StoryMerge, StorySplit

CLUSTER_VERSION = "cluster.v1"

EXACT_SEARCH_LIMIT = 20_000  # below this many vectors a brute-force dot product is faster than HNSW
NEAREST_ARTICLES = 24  # neighbours fetched from the embedding index per article
STORIES_PER_ENTITY = 8  # recent stories remembered per entity key, as extra candidates
ENTITY_KEYS_SEARCHED = 12  # the article's heaviest entity keys looked up for candidates
ENTITY_CANDIDATES = 8  # at most this many stories found only through entities are scored
MAX_STORY_TERMS = 600  # a story's summed term vector is trimmed back to its heaviest terms past this
NEAREST_MEMBERS = 64  # members compared one by one when a candidate came from the entity index
TERM_NEIGHBOURS = 8  # of those, the latest few also compared by terms (sparse dot products cost more)
# The clusterer compares an article's heaviest terms only (renormalised): the tail of a 150-term vector
# moves cosines little, and holding it for every article cost most of the time and memory at scale.
CLUSTER_TERMS = 40
SPLIT_GROWTH = 1.5  # a story is checked for drift when it has grown by half since its last check
CORE_SHARE = 0.5  # an entity named by at least this share of a story's articles is one of its core ones
SPLIT_MIN_SIZE = 6
SPLIT_MAX_SIZE = 400


def story_id_for(article_id: str) -> str:
    return f"s-{article_id}"


@dataclass
class _Profile:
    """A story's running summary. Mutable, private to the clusterer."""

    id: str
    order: int  # creation order: the older story wins ties and survives merges
    members: list[int] = field(default_factory=list)
    vector_sum: np.ndarray | None = None
    terms: dict[str, float] = field(default_factory=dict)
    terms_norm2: float = 0.0
    entity_docs: Counter[str] = field(default_factory=Counter)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    dated_first: datetime | None = None
    dated_last: datetime | None = None
    thread: str | None = None
    checked_size: int = 0  # size at the last drift (split) check

    @property
    def size(self) -> int:
        return len(self.members)

    def centroid(self) -> np.ndarray | None:
        if self.vector_sum is None:
            return None
        norm = float(np.linalg.norm(self.vector_sum))
        return self.vector_sum / norm if norm > 0 else None

    def core_entities(self) -> dict[str, float]:
        size = max(1, self.size)
        return {key: count / size for key, count in self.entity_docs.items() if count / size >= CORE_SHARE}


@dataclass
class _Nearest:
    """A candidate story's members among an article's embedding neighbours, and the best similarity."""

    similarity: float
    members: list[int]


@dataclass(frozen=True)
class _Probe:
    """What a candidate is compared against: one article, or a story's profile during maintenance."""

    vector: np.ndarray | None
    terms: Sequence[tuple[str, float]]
    entities: Sequence[tuple[str, float]]
    first: datetime | None  # dated range; None when undated
    last: datetime | None


class StoryClusterer:
    def __init__(self, model: StoryModel = DEFAULT_MODEL, *, dimensions: int = 512) -> None:
        self.model = model
        self.dimensions = dimensions
        self._features: list[StoryFeatures] = []
        self._term_maps: list[dict[str, float]] = []  # article index -> its trimmed term vector
        self._row_of: list[int] = []  # article index -> its row in _vectors, -1 without a vector
        self._index_of: dict[str, int] = {}
        self._story_of: list[int] = []  # article index -> profile index
        self._profiles: list[_Profile | None] = []  # None once merged away
        self._profile_by_id: dict[str, int] = {}
        self._redirects: dict[str, str] = {}
        self._dead_ids: dict[int, str] = {}  # profile index -> id of a story merged away
        self._vectors = np.zeros((1024, dimensions), dtype=np.float32)
        self._vector_rows: list[int] = []  # index row -> article index
        self._hnsw: object | None = None
        self._by_entity: dict[str, deque[int]] = {}
        self._touched: set[int] = set()  # changed since the last drain: to be saved
        # Stories that took in an article since the last maintenance: the only ones that can have drifted
        # or converged (a story just started was already compared with every candidate when it began).
        self._grown: set[int] = set()
        self._changed: set[int] = set()  # took in articles since construction or load: thread candidates
        self._sequence = 0

    # ------------------------------------------------------------ state

    def __len__(self) -> int:
        return len(self._features)

    @property
    def next_sequence(self) -> int:
        return self._sequence

    def load(self, members: Iterable[tuple[str, StoryFeatures]], *, next_sequence: int = 0) -> None:
        """Rebuild the state from stored (story id, features) pairs in their original order."""
        for story_id, features in members:
            if features.article_id in self._index_of:
                continue
            profile_index = self._profile_by_id.get(story_id)
            if profile_index is None:
                profile_index = self._new_profile(story_id)
            self._append(features, profile_index)
        self._sequence = max(self._sequence, next_sequence)
        self._touched.clear()
        self._changed.clear()

    def set_threads(self, threads: dict[str, str]) -> None:
        """Seed each known story's thread id (from the store) so thread ids stay stable across runs."""
        for story_id, thread_id in threads.items():
            index = self._profile_by_id.get(story_id)
            if index is not None and (profile := self._profiles[index]) is not None:
                profile.thread = thread_id

    def story_of(self, article_id: str) -> str | None:
        index = self._index_of.get(article_id)
        if index is None:
            return None
        profile = self._profiles[self._story_of[index]]
        return profile.id if profile is not None else None

    def resolve(self, story_id: str) -> str:
        while story_id in self._redirects:
            story_id = self._redirects[story_id]
        return story_id

    # ------------------------------------------------------------ the online step

    def add(self, features: StoryFeatures) -> StoryAssignment:
        """Assign one article: join the most likely story if likely enough, else start one."""
        known = self._index_of.get(features.article_id)
        if known is not None:  # already assigned: adding again changes nothing
            profile = self._profiles[self._story_of[known]]
            assert profile is not None
            return StoryAssignment(features.article_id, profile.id, None, -1)
        best_index, best_probability = self._best_story(features)
        score: float | None = None
        if best_index is not None and best_probability >= self.model.join:
            target = best_index
            score = round(best_probability, 4)
            self._grown.add(target)
        else:
            target = self._new_profile(story_id_for(features.article_id))
        self._append(features, target)
        assignment = StoryAssignment(features.article_id, self._profile(target).id, score, self._sequence)
        self._sequence += 1
        return assignment

    def add_many(self, features: Iterable[StoryFeatures]) -> list[StoryAssignment]:
        return [self.add(item) for item in features]

    def candidate_features(self, features: StoryFeatures) -> tuple[list[str], list[list[float]]]:
        """The candidate stories for an article and the model inputs for each (training, debugging)."""
        candidates, rows = self._article_candidates(features)
        return [self._profile(index).id for index in candidates], rows

    def _article_candidates(self, features: StoryFeatures) -> tuple[list[int], list[list[float]]]:
        probe = _article_probe(features)
        candidates, nearest = self._candidates(probe.vector, probe.entities, exclude=None)
        rows = [self._pair_features(probe, self._profile(index), nearest.get(index)) for index in candidates]
        return candidates, rows

    def _best_story(self, features: StoryFeatures) -> tuple[int | None, float]:
        if features.duplicate_of is not None and features.duplicate_of in self._index_of:
            # A syndicated copy (from ingest's near-duplicate detection) goes where its original went.
            return self._story_of[self._index_of[features.duplicate_of]], 1.0
        candidates, rows = self._article_candidates(features)
        if not candidates:
            return None, 0.0
        probabilities = self.model.probability(np.array(rows))
        best = int(np.argmax(probabilities))  # candidates are in creation order: the oldest wins ties
        return candidates[best], float(probabilities[best])

    # ------------------------------------------------------------ candidates and features

    def _candidates(
        self, vector: np.ndarray | None, entities: Sequence[tuple[str, float]], *, exclude: int | None
    ) -> tuple[list[int], dict[int, _Nearest]]:
        nearest: dict[int, _Nearest] = {}
        if vector is not None and self._vector_rows:
            for row, similarity in self._search(vector, NEAREST_ARTICLES):
                article = self._vector_rows[row]
                profile = self._story_of[article]
                found_here = nearest.setdefault(profile, _Nearest(similarity, []))
                found_here.similarity = max(found_here.similarity, similarity)
                found_here.members.append(article)
        by_entity: set[int] = set()
        for key, _ in entities[:ENTITY_KEYS_SEARCHED]:
            by_entity.update(self._by_entity.get(key, ()))
        alive = {self._live(index) for index in nearest}
        entity_only = sorted({self._live(index) for index in by_entity} - alive)
        if len(entity_only) > ENTITY_CANDIDATES:
            # Keep the entity-found stories most like the article: scoring every story that shares a
            # common name (a country, a president) would make the cost grow with the store.
            if vector is not None:
                centroids = [self._profile(index).centroid() for index in entity_only]
                likeness = [float(c @ vector) if c is not None else -2.0 for c in centroids]
            else:
                likeness = [float(self._profile(index).order) for index in entity_only]  # the most recent
            ranked = sorted(zip(likeness, entity_only, strict=True), key=lambda item: (-item[0], item[1]))
            entity_only = [index for _, index in ranked[:ENTITY_CANDIDATES]]
        alive.update(entity_only)
        alive.discard(exclude if exclude is not None else -1)
        return sorted(alive, key=lambda index: self._profile(index).order), nearest

    def _live(self, index: int) -> int:
        profile = self._profiles[index]
        if profile is not None:
            return index
        return self._profile_by_id[self.resolve(self._dead_ids[index])]

    def _pair_features(self, probe: _Probe, profile: _Profile, nearest: _Nearest | None) -> list[float]:
        centroid = profile.centroid()
        # Members compared one by one: the embedding neighbours found in this story, else its latest.
        compared = nearest.members if nearest is not None else profile.members[-NEAREST_MEMBERS:]
        if probe.vector is not None and centroid is not None:
            embedding_centroid = float(probe.vector @ centroid)
            if nearest is not None:
                embedding_nearest = nearest.similarity
            else:
                rows = [self._row_of[m] for m in compared if self._row_of[m] >= 0]
                embedding_nearest = float(np.max(self._vectors[rows] @ probe.vector)) if rows else 0.0
        else:
            embedding_centroid, embedding_nearest = 0.0, 0.0
        terms = (
            sparse_dot(probe.terms, profile.terms) / math.sqrt(profile.terms_norm2)
            if profile.terms_norm2
            else 0.0
        )
        terms_nearest = max(
            (sparse_dot(probe.terms, self._term_maps[m]) for m in compared[-TERM_NEIGHBOURS:]), default=0.0
        )
        size = max(1, profile.size)
        article_weight = sum(weight for _, weight in probe.entities)
        shared = 0.0
        missing = 0.0
        for key, weight in probe.entities:
            share = min(1.0, profile.entity_docs.get(key, 0) / size)
            shared += weight * share
            if share == 0.0 and not key.startswith("group:"):
                missing += weight
        if article_weight:
            shared, missing = shared / article_weight, missing / article_weight
        core = profile.core_entities()
        named = {key for key, _ in probe.entities}
        core_share = (
            sum(share for key, share in core.items() if key in named) / sum(core.values()) if core else 0.0
        )
        if probe.first is not None and probe.last is not None and profile.dated_first is not None:
            assert profile.dated_last is not None
            if probe.last < profile.dated_first:
                gap = (profile.dated_first - probe.last).total_seconds() / 86400
            elif probe.first > profile.dated_last:
                gap = (probe.first - profile.dated_last).total_seconds() / 86400
            else:
                gap = 0.0
            gap_days, undated = gap_feature(gap), 0.0
        else:
            gap_days, undated = 0.0, 1.0
        return [
            embedding_centroid,
            embedding_nearest,
            terms,
            terms_nearest,
            shared,
            core_share,
            missing,
            gap_days,
            undated,
        ]

    def _search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        count = len(self._vector_rows)
        if self._hnsw is None and count > EXACT_SEARCH_LIMIT:
            self._build_hnsw()
        if self._hnsw is not None:
            distances, rows = self._hnsw.search(vector[None, :].astype(np.float32), k)  # type: ignore[attr-defined]
            return [(int(r), float(d)) for r, d in zip(rows[0], distances[0], strict=True) if r >= 0]
        # float32 like the matrix: a float64 query would make numpy convert the whole matrix on every call.
        similarities = self._vectors[:count] @ np.asarray(vector, dtype=np.float32)
        if count <= k:
            order = np.argsort(-similarities, kind="stable")
        else:
            top = np.argpartition(-similarities, k)[:k]
            order = top[np.argsort(-similarities[top], kind="stable")]
        return [(int(r), float(similarities[r])) for r in order]

    def _build_hnsw(self) -> None:
        import faiss

        faiss.omp_set_num_threads(1)  # a deterministic graph, and no oversubscribed cores
        index = faiss.IndexHNSWFlat(self.dimensions, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 64
        index.hnsw.efSearch = 64
        index.add(self._vectors[: len(self._vector_rows)])
        self._hnsw = index

    # ------------------------------------------------------------ profiles

    def _profile(self, index: int) -> _Profile:
        profile = self._profiles[index]
        assert profile is not None, "merged profiles are resolved before use"
        return profile

    def _new_profile(self, story_id: str) -> int:
        index = len(self._profiles)
        self._profiles.append(_Profile(story_id, index))
        self._profile_by_id[story_id] = index
        return index

    def _append(self, features: StoryFeatures, profile_index: int) -> None:
        article_index = len(self._features)
        self._term_maps.append(dict(cluster_terms(features.terms)))
        # From here on the vector lives in the matrix and only the trimmed terms are used: keep the
        # record without either (at a million articles they were most of the memory).
        self._features.append(replace(features, terms=(), vector=None))
        self._row_of.append(len(self._vector_rows) if features.vector is not None else -1)
        self._index_of[features.article_id] = article_index
        self._story_of.append(profile_index)
        if features.vector is not None:
            row = len(self._vector_rows)
            if row >= len(self._vectors):
                grown = np.zeros((len(self._vectors) * 2, self.dimensions), dtype=np.float32)
                grown[:row] = self._vectors[:row]
                self._vectors = grown
            self._vectors[row] = features.vector
            self._vector_rows.append(article_index)
            if self._hnsw is not None:
                self._hnsw.add(self._vectors[row : row + 1])  # type: ignore[attr-defined]
        self._add_to_profile(self._profile(profile_index), article_index)
        self._index_entities(features, profile_index)
        self._touched.add(profile_index)
        self._changed.add(profile_index)

    def _index_entities(self, features: StoryFeatures, profile_index: int) -> None:
        for key, _ in features.entities[:ENTITY_KEYS_SEARCHED]:
            recent = self._by_entity.setdefault(key, deque(maxlen=STORIES_PER_ENTITY))
            if profile_index in recent:
                recent.remove(profile_index)
            recent.append(profile_index)

    def _add_to_profile(self, profile: _Profile, article_index: int) -> None:
        features = self._features[article_index]
        profile.members.append(article_index)
        row = self._row_of[article_index]
        if row >= 0:
            vector = self._vectors[row].astype(np.float64)  # a copy: the sum may start from it
            profile.vector_sum = vector if profile.vector_sum is None else profile.vector_sum + vector
        for term, weight in self._term_maps[article_index].items():
            old = profile.terms.get(term, 0.0)
            profile.terms[term] = old + weight
            profile.terms_norm2 += 2 * old * weight + weight * weight
        if len(profile.terms) > MAX_STORY_TERMS:
            kept = sorted(profile.terms.items(), key=lambda item: (-item[1], item[0]))[: MAX_STORY_TERMS // 2]
            profile.terms = dict(kept)
            profile.terms_norm2 = sum(weight * weight for _, weight in kept)
        profile.entity_docs.update(key for key, _ in features.entities)
        when = features.seen_at
        profile.first_seen = when if profile.first_seen is None else min(profile.first_seen, when)
        profile.last_seen = when if profile.last_seen is None else max(profile.last_seen, when)
        if features.dated:
            profile.dated_first = when if profile.dated_first is None else min(profile.dated_first, when)
            profile.dated_last = when if profile.dated_last is None else max(profile.dated_last, when)

    # ------------------------------------------------------------ maintenance

    def maintain(self) -> tuple[list[StoryMerge], list[StorySplit]]:
        """Split stories grown since the last call that drifted apart, then merge those that converged.

        Deterministic: stories are visited in creation order; the older story survives a merge; the
        part of a split that holds the story's first article keeps its id.
        """
        grown = sorted(self._grown)
        self._grown.clear()
        splits: list[StorySplit] = []
        for index in grown:
            if self._profiles[index] is not None:
                split = self._maybe_split(index)
                if split is not None:
                    splits.append(split)
        merges: list[StoryMerge] = []
        for index in grown:
            if self._profiles[index] is None:
                continue
            candidates, probabilities = self._story_candidates(index)
            if not candidates:
                continue
            best = int(np.argmax(probabilities))
            if probabilities[best] >= self.model.merge:
                merges.append(self._merge(index, candidates[best]))
        return merges, splits

    def _story_candidates(self, index: int) -> tuple[list[int], np.ndarray]:
        """The other stories a story's profile could merge with or continue, and the model's probability
        for each (as if the whole story were one article)."""
        probe = self._profile_probe(self._profile(index))
        candidates, _ = self._candidates(probe.vector, probe.entities, exclude=index)
        rows = [self._pair_features(probe, self._profile(other), None) for other in candidates]
        return candidates, self.model.probability(np.array(rows).reshape(len(rows), len(FEATURE_NAMES)))

    def drain_touched(self) -> list[Story]:
        """The stories changed since the last drain (for saving), as records."""
        touched = sorted(index for index in self._touched if self._profiles[index] is not None)
        self._touched.clear()
        return [self._story(self._profile(index)) for index in touched]

    def _merge(self, left: int, right: int) -> StoryMerge:
        survivor, absorbed = sorted((left, right), key=lambda i: self._profile(i).order)
        kept, gone = self._profile(survivor), self._profile(absorbed)
        _absorb(kept, gone)
        for member in gone.members:
            self._story_of[member] = survivor
        self._profiles[absorbed] = None
        self._dead_ids[absorbed] = gone.id
        self._redirects[gone.id] = kept.id
        if kept.thread is None:
            kept.thread = gone.thread
        self._touched.add(survivor)
        self._changed.add(survivor)
        self._touched.discard(absorbed)
        return StoryMerge(gone.id, kept.id)

    def _maybe_split(self, index: int) -> StorySplit | None:
        profile = self._profile(index)
        if profile.size < max(SPLIT_MIN_SIZE, profile.checked_size * SPLIT_GROWTH):
            return None  # checks at geometric size steps: amortised constant cost per article
        profile.checked_size = profile.size
        members = [m for m in profile.members if self._row_of[m] >= 0]
        if not SPLIT_MIN_SIZE <= len(members) <= SPLIT_MAX_SIZE:
            return None
        vectors = self._vectors[[self._row_of[m] for m in members]]
        # Two-means seeded with the first member and the member least like it: deterministic.
        seeds = [0, int(np.argmin(vectors @ vectors[0]))]
        centres = vectors[seeds]
        for _ in range(8):
            side = np.argmax(vectors @ centres.T, axis=1)
            if side.min() == side.max():
                return None
            centres = np.stack([vectors[side == part].mean(axis=0) for part in (0, 1)])
        moved = [members[i] for i in range(len(members)) if side[i] != side[0]]
        kept = [m for m in profile.members if m not in set(moved)]
        if min(len(moved), len(kept)) < 3:
            return None
        a, b = _Profile("a", 0), _Profile("b", 1)
        self._rebuild_profile(a, kept)
        self._rebuild_profile(b, moved)
        row = self._pair_features(self._profile_probe(b), a, None)
        if self.model.probability(np.array([row]))[0] >= self.model.thread:
            return None
        new_id = story_id_for(self._features[moved[0]].article_id)
        if new_id in self._profile_by_id:
            return None
        new_index = self._new_profile(new_id)
        self._rebuild_profile(self._profile(new_index), moved)
        self._rebuild_profile(profile, kept)
        for member in moved:
            self._story_of[member] = new_index
            self._index_entities(self._features[member], new_index)
        self._touched.update((index, new_index))
        self._changed.update((index, new_index))
        return StorySplit(profile.id, new_id, tuple(self._features[m].article_id for m in moved))

    def _rebuild_profile(self, profile: _Profile, members: Sequence[int]) -> None:
        """PROFILE's running sums recomputed from MEMBERS (its id, order, thread and last check kept)."""
        fresh = _Profile(profile.id, profile.order, thread=profile.thread, checked_size=profile.checked_size)
        for member in members:
            self._add_to_profile(fresh, member)
        vars(profile).update(vars(fresh))

    def _profile_probe(self, profile: _Profile) -> _Probe:
        norm = math.sqrt(profile.terms_norm2) or 1.0
        terms = sorted(profile.terms.items(), key=lambda item: (-item[1], item[0]))[:150]
        size = max(1, profile.size)
        entities = sorted(
            ((key, count / size) for key, count in profile.entity_docs.items()),
            key=lambda item: (-item[1], item[0]),
        )[:40]
        return _Probe(
            profile.centroid(),
            [(term, weight / norm) for term, weight in terms],
            entities,
            profile.dated_first,
            profile.dated_last,
        )

    # ------------------------------------------------------------ threads

    def thread_links(self) -> list[tuple[str, str, float]]:
        """Pairs of distinct stories that continue one another: (earlier id, later id, probability).

        Only stories that took in articles since this clusterer was built or loaded are probed (with
        their candidates in both directions): a run's cost follows its new articles, not the store.

        Each story's profile is compared with its candidate stories, as in a merge, but accepted at the
        model's lower ``thread`` threshold and only within ``thread_days`` of each other: a later event
        of the same subject (talks moved to Davos) links, while the same kind of event elsewhere, which
        shares neither actors nor words, does not.
        """
        links: dict[tuple[str, str], float] = {}
        changed = sorted(index for index in self._changed if self._profiles[index] is not None)
        for index in changed:
            profile = self._profile(index)
            candidates, probabilities = self._story_candidates(index)
            for other, probability in zip(candidates, probabilities, strict=True):
                other_profile = self._profile(other)
                assert profile.first_seen is not None and other_profile.first_seen is not None
                days = abs((other_profile.first_seen - profile.first_seen).total_seconds()) / 86400
                if probability >= self.model.thread and days <= self.model.thread_days:
                    earlier, later = sorted((profile, other_profile), key=lambda p: p.order)
                    key = (earlier.id, later.id)
                    links[key] = max(links.get(key, 0.0), float(probability))
        return [(earlier, later, probability) for (earlier, later), probability in links.items()]

    def known_threads(self) -> dict[str, str]:
        return {p.id: p.thread for p in self._profiles if p is not None and p.thread is not None}

    # ------------------------------------------------------------ records

    def stories(self) -> list[Story]:
        return [self._story(profile) for profile in self._profiles if profile is not None]

    def story(self, story_id: str) -> Story | None:
        index = self._profile_by_id.get(self.resolve(story_id))
        if index is None or self._profiles[index] is None:
            return None
        return self._story(self._profile(index))

    def labels(self) -> list[str]:
        """Each article's story id, in the order the articles were added."""
        return [self._profile(self._story_of[index]).id for index in range(len(self._features))]

    def _story(self, profile: _Profile) -> Story:
        members = [self._features[m] for m in profile.members]
        assert profile.first_seen is not None and profile.last_seen is not None
        return Story(
            id=profile.id,
            title=self._title(profile),
            article_ids=tuple(f.article_id for f in members),
            outlets=tuple(dict.fromkeys(f.outlet for f in members if f.outlet)),
            languages=tuple(dict.fromkeys(f.language for f in members if f.language)),
            first_seen=profile.first_seen,
            last_seen=profile.last_seen,
            thread_id=profile.thread,
            algorithm=CLUSTER_VERSION,
        )

    def _title(self, profile: _Profile) -> str:
        """The title of the member closest to the story's centre (among its first 100): the most typical."""
        centroid = profile.centroid()
        members = profile.members[:100]
        if centroid is None:
            return self._features[members[0]].title
        best = max(
            members,
            key=lambda m: (
                float(self._vectors[self._row_of[m]] @ centroid) if self._row_of[m] >= 0 else -2.0,
                -m,
            ),
        )
        return self._features[best].title


def _absorb(kept: _Profile, gone: _Profile) -> None:
    """Fold GONE's running sums into KEPT (a merge), in time proportional to GONE's size."""
    kept.members = sorted(kept.members + gone.members)
    if gone.vector_sum is not None:
        kept.vector_sum = (
            gone.vector_sum.copy() if kept.vector_sum is None else kept.vector_sum + gone.vector_sum
        )
    for term, weight in gone.terms.items():
        kept.terms[term] = kept.terms.get(term, 0.0) + weight
    kept.terms_norm2 = sum(weight * weight for weight in kept.terms.values())
    kept.entity_docs.update(gone.entity_docs)

    def earliest(a: datetime | None, b: datetime | None) -> datetime | None:
        return b if a is None else a if b is None else min(a, b)

    def latest(a: datetime | None, b: datetime | None) -> datetime | None:
        return b if a is None else a if b is None else max(a, b)

    kept.first_seen = earliest(kept.first_seen, gone.first_seen)
    kept.last_seen = latest(kept.last_seen, gone.last_seen)
    kept.dated_first = earliest(kept.dated_first, gone.dated_first)
    kept.dated_last = latest(kept.dated_last, gone.dated_last)


def _article_probe(features: StoryFeatures) -> _Probe:
    when = features.seen_at if features.dated else None
    return _Probe(features.vector, cluster_terms(features.terms), features.entities, when, when)


def cluster_terms(terms: Sequence[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """An article's CLUSTER_TERMS heaviest terms, renormalised to unit length."""
    top = terms[:CLUSTER_TERMS]
    norm = math.sqrt(sum(weight * weight for _, weight in top)) or 1.0
    return tuple((term, weight / norm) for term, weight in top)


__all__ = ["CLUSTER_VERSION", "FEATURE_NAMES", "StoryClusterer", "story_id_for"]
