"""Issue 4: story clustering speed and scale: articles/s and memory with 10k, 100k and 1M stored articles.

    .venv/bin/python -m bench.story_scale [--sizes 10000,100000,1000000] [--new 2000] [--no-record]

Real material first: the Wikinews 2019-2020 articles go through the real pipeline functions
(``record_article`` -> ``enrich_articles`` -> ``story_features`` with the shipped sentence encoder on one
thread), timing the embedding and the lexical/entity views apart.

Scale is synthesised by resampling those real features (for speed and memory only, never for quality):
the store holds N articles over ``--span-days`` (two years), in events of 1-8 articles a few hours apart.
An event's articles take the terms and entities of one real article A with a share of another B's, and a
vector ``0.8 A + 0.2 B`` plus gaussian noise, renormalised, so that every vector is distinct but articles
of one event stay close. Each synthetic article is decoded the way the store decodes a row (float16 vector
blob, JSON terms and entities), so it owns its strings and floats and memory is what a real load holds.

Each size runs in a fresh process (memory is per size). As ``dateline.pipeline.cluster_stories`` does, the
clusterer is rebuilt with ``load`` from the stories active within the story window of the newest new
article ("held"; ``--window-days 0`` holds every stored article), then ``--new`` articles dated the day
after the store are clustered in batches of 64: ``add_many``, ``maintain``, ``drain_touched``. The HNSW
build (above ``EXACT_SEARCH_LIMIT`` held vectors) happens at the first search and is timed on its own, as
is the per-run thread step (``thread_links`` around the changed stories + ``build_threads``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pickle
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from bench.common import markdown_table, record_article, record_section, require_data
from dateline.models import StoryFeatures

SECTION = "Issue 4: story clustering speed and scale"
BATCH = 64  # dateline.pipeline._STORY_BATCH
SEED = 4
START = datetime(2023, 1, 1)
EVENT_SIZES = (1, 8)  # articles per synthetic event (story), uniform
EVENT_SPREAD_HOURS = 12.0  # mean gap of an event's later articles after its first
OTHER_SHARE = 0.2  # weight of the second real article B in a synthetic vector
NOISE = 0.5 / np.sqrt(512)  # per-dimension noise: |noise| about 0.5 against a unit vector
ALL_HELD = 0


# ---------------------------------------------------------------- real features


def real_features(limit: int | None) -> tuple[list[StoryFeatures], dict[str, float]]:
    """StoryFeatures of the Wikinews articles through the pipeline's functions, and the time of each step."""
    from dateline.cluster.features import SentenceEncoder, lexical_terms, story_features
    from dateline.enrich.article import enrich_articles
    from dateline.errors import ExtractionError

    path = require_data("corpus", "wikinews-2019-2020", "articles.jsonl")
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    articles = []
    for record in records[:limit] if limit else records:
        try:
            articles.append(
                record_article(
                    record["id"],
                    record["text"],
                    language="en",
                    title=record["title"],
                    url=record["url"],
                    published=date.fromisoformat(record["date"]),
                )
            )
        except ExtractionError:
            continue
    started = time.perf_counter()
    enrichments = enrich_articles(articles)
    enrich_s = time.perf_counter() - started

    encoder = SentenceEncoder(threads=1)
    encoder(["warm up the model"])
    lexical_terms("warm up", "the word frequency lists", "en")
    embed_s = 0.0

    def timed_encoder(texts: Sequence[str]) -> np.ndarray:
        nonlocal embed_s
        began = time.perf_counter()
        vectors = encoder(texts)
        embed_s += time.perf_counter() - began
        return vectors

    features: list[StoryFeatures] = []
    started = time.perf_counter()
    for start in range(0, len(articles), BATCH):
        features += story_features(
            articles[start : start + BATCH], enrichments[start : start + BATCH], timed_encoder
        )
    total_s = time.perf_counter() - started
    timings = {
        "articles": len(articles),
        "enrich_s": enrich_s,
        "embed_s": embed_s,
        "views_s": total_s - embed_s,
    }
    return [f for f in features if f.vector is not None], timings


# ---------------------------------------------------------------- synthetic store


class Synthetic:
    """N stored articles plus NEW ones the day after, as arrays; articles become records only when asked."""

    def __init__(
        self, real: Sequence[StoryFeatures], stored: int, new: int, span_days: float, seed: int
    ) -> None:
        rng = np.random.default_rng(seed)
        self.real = real
        self.stored = stored
        times, events = [], []
        event_base = 0
        for count, begin, days in ((stored, 0.0, span_days), (new, span_days, 1.0)):
            sizes = rng.integers(EVENT_SIZES[0], EVENT_SIZES[1] + 1, size=count)  # more than enough events
            sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), count)) + 1]
            sizes[-1] -= int(sizes.sum()) - count
            event = np.repeat(np.arange(len(sizes)), sizes)
            first = begin + rng.uniform(0.0, days, size=len(sizes))
            later = rng.exponential(EVENT_SPREAD_HOURS / 24, size=count)
            later[np.r_[0, np.cumsum(sizes)[:-1]]] = 0.0  # an event's first article opens it
            when = np.minimum(first[event] + later, begin + days)
            order = np.argsort(when, kind="stable")
            times.append(when[order])
            events.append(event[order] + event_base)
            event_base += len(sizes)
        self.days = np.concatenate(times)  # days since START, increasing within stored and within new
        self.event = np.concatenate(events)
        self.base = rng.integers(len(real), size=(event_base, 2))  # real articles A and B of each event
        self.seed = seed
        self._vectors = np.stack([np.asarray(f.vector, dtype=np.float32) for f in real])
        self._event_json: dict[int, tuple[str, str]] = {}

    def __len__(self) -> int:
        return len(self.days)

    def article_id(self, index: int) -> str:
        return f"syn-{index:07d}"

    def held(self, window_days: float) -> np.ndarray:
        """Indices of the stored articles the pipeline loads: every member of a story active in the window."""
        stored_events = self.event[: self.stored]
        if window_days == ALL_HELD:
            return np.arange(self.stored)
        horizon = self.days[-1] - window_days
        last = np.full(int(stored_events.max()) + 1, -np.inf)
        np.maximum.at(last, stored_events, self.days[: self.stored])
        return np.flatnonzero(last[stored_events] >= horizon)

    def features(self, indices: np.ndarray) -> list[StoryFeatures]:
        """Store-like records: float16 vector blobs and JSON terms decoded as ``_features_from_row`` does."""
        out: list[StoryFeatures] = []
        for start in range(0, len(indices), 50_000):
            chunk = indices[start : start + 50_000]
            rng = np.random.default_rng([self.seed, int(chunk[0])])
            bases = self.base[self.event[chunk]]
            vectors = (1 - OTHER_SHARE) * self._vectors[bases[:, 0]] + OTHER_SHARE * self._vectors[
                bases[:, 1]
            ]
            vectors += rng.standard_normal(vectors.shape, dtype=np.float32) * np.float32(NOISE)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            blobs = vectors.astype("<f2")
            for row, index in enumerate(chunk.tolist()):
                out.append(self._record(index, blobs[row].tobytes()))
        return out

    def _record(self, index: int, blob: bytes) -> StoryFeatures:
        event = int(self.event[index])
        terms_json, entities_json = self._mixed(event)
        template = self.real[int(self.base[event, 0])]
        return StoryFeatures(
            article_id=self.article_id(index),
            seen_at=START + timedelta(days=float(self.days[index])),
            dated=True,
            language=template.language,
            title=template.title,
            outlet=f"outlet-{index % 97}",
            duplicate_of=None,
            vector=np.frombuffer(blob, dtype="<f2").astype(np.float32),
            terms=tuple((str(term), float(weight)) for term, weight in json.loads(terms_json)),
            entities=tuple((str(key), float(weight)) for key, weight in json.loads(entities_json)),
            version=template.version,
        )

    def _mixed(self, event: int) -> tuple[str, str]:
        """An event's terms and entities: two thirds from A, a third from B (JSON, as stored)."""
        found = self._event_json.get(event)
        if found is None:
            a, b = (self.real[int(i)] for i in self.base[event])
            found = (json.dumps(_mix(a.terms, b.terms, 150)), json.dumps(_mix(a.entities, b.entities, 40)))
            if len(self._event_json) > 200_000:
                self._event_json.clear()
            self._event_json[event] = found
        return found


def _mix(first: Sequence[tuple[str, float]], second: Sequence[tuple[str, float]], limit: int) -> list:
    keep = first[: max(1, 2 * len(first) // 3)]
    keys = {key for key, _ in keep}
    mixed = [*keep, *(item for item in second if item[0] not in keys)][:limit]
    return sorted(mixed, key=lambda item: -item[1])


def story_members(
    synthetic: Synthetic, held: np.ndarray, records: list[StoryFeatures]
) -> list[tuple[str, StoryFeatures]]:
    """(story id, features) in stream order; a story's id comes from its first article, as the clusterer's do."""
    from dateline.cluster.online import story_id_for

    first_of: dict[int, str] = {}
    members = []
    for index, features in zip(held.tolist(), records, strict=True):
        event = int(synthetic.event[index])
        story_id = first_of.setdefault(event, story_id_for(features.article_id))
        members.append((story_id, features))
    return members


# ---------------------------------------------------------------- one size, in its own process


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB."""
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss across exec, so a child started from this
    # benchmark's parent (spaCy and the encoder loaded) would report the parent's peak.
    found = {"VmRSS:": 0.0, "VmHWM:": 0.0}
    for line in Path("/proc/self/status").read_text().splitlines():
        name = line.split(":", 1)[0] + ":"
        if name in found:
            found[name] = int(line.split()[1]) / 1024
    return found["VmRSS:"], max(found["VmHWM:"], found["VmRSS:"])


def run_size(args: argparse.Namespace) -> dict[str, object]:
    from dateline.cluster.online import EXACT_SEARCH_LIMIT, StoryClusterer
    from dateline.cluster.threads import build_threads

    def say(message: str) -> None:
        print(f"[{args.size:>9,}] {message}", file=sys.stderr, flush=True)

    with open(args.child, "rb") as handle:
        real = pickle.load(handle)
    result: dict[str, object] = {"stored": args.size, "window_days": args.window_days}
    baseline, _ = rss_mib()
    started = time.perf_counter()
    synthetic = Synthetic(real, args.size, args.new, args.span_days, SEED)
    held = synthetic.held(args.window_days)
    new_indices = np.arange(args.size, len(synthetic))
    stored_records = synthetic.features(held)
    new_records = synthetic.features(new_indices)
    members = story_members(synthetic, held, stored_records)
    del stored_records
    result["synthesise_s"] = time.perf_counter() - started
    result["held"] = len(members)
    say(f"synthesised {len(synthetic):,} ({len(members):,} held) in {result['synthesise_s']:.1f} s")

    clusterer = StoryClusterer()
    started = time.perf_counter()
    clusterer.load(members)
    result["load_s"] = time.perf_counter() - started
    # Drop the synthetic store and the loaded records, so the RSS below is the clusterer's own state
    # (plus the interpreter and the 2,000 new records), not this benchmark's copy of a million articles.
    del members, synthetic
    gc.collect()
    started = time.perf_counter()
    clusterer.candidate_features(new_records[0])  # the first search builds the HNSW graph when one is needed
    result["hnsw_s"] = time.perf_counter() - started if len(held) > EXACT_SEARCH_LIMIT else None
    result["rss_loaded_mib"], _ = rss_mib()
    say(f"load {result['load_s']:.1f} s, first search {time.perf_counter() - started:.1f} s")

    profiler = cProfile.Profile() if args.profile else None
    batch_ms: list[float] = []
    merges = splits = joined = 0
    started = time.perf_counter()
    for start in range(0, len(new_records), BATCH):
        batch = new_records[start : start + BATCH]
        began = time.perf_counter()
        if profiler:
            profiler.enable()
        assignments = clusterer.add_many(batch)
        merged, split = clusterer.maintain()
        clusterer.drain_touched()
        if profiler:
            profiler.disable()
        batch_ms.append((time.perf_counter() - began) * 1000 / len(batch))
        merges, splits = merges + len(merged), splits + len(split)
        joined += sum(1 for a in assignments if a.score is not None)
    elapsed = time.perf_counter() - started
    result.update(
        articles_per_s=len(new_records) / elapsed,
        ms_median=statistics.median(batch_ms),
        ms_overall=elapsed * 1000 / len(new_records),
        ms_p90=float(np.percentile(batch_ms, 90)),
        joined=joined,
        merges=merges,
        splits=splits,
    )
    say(f"{result['articles_per_s']:.0f} articles/s (median {result['ms_median']:.2f} ms/article)")

    if not args.skip_threads:
        started = time.perf_counter()
        loaded = clusterer.stories()
        build_threads(loaded, clusterer.thread_links(), clusterer.known_threads())
        result["threads_s"] = time.perf_counter() - started
        result["stories"] = len(loaded)
        say(f"threads over {len(loaded):,} stories: {result['threads_s']:.1f} s")
    result["rss_mib"], result["peak_rss_mib"] = rss_mib()
    result["baseline_rss_mib"] = baseline
    if profiler:
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)
        Path(args.profile).write_text(stream.getvalue())
    return result


# ---------------------------------------------------------------- the report


def _child(
    real_path: Path, size: int, args: argparse.Namespace, window_days: float, profile: str | None
) -> dict:
    command = [
        sys.executable, "-m", "bench.story_scale", "--child", str(real_path), "--size", str(size),
        "--new", str(args.new), "--span-days", str(args.span_days), "--window-days", str(window_days),
    ]  # fmt: skip
    if profile:
        command += ["--profile", profile]
    if args.skip_threads:
        command.append("--skip-threads")
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _seconds(value: object) -> str:
    return "–" if value is None else f"{value:.1f}"


def main(argv: Sequence[str] | None = None) -> None:
    from dateline.cluster.online import EXACT_SEARCH_LIMIT
    from dateline.settings import Settings

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="stored articles, comma-separated")
    parser.add_argument("--new", type=int, default=2000, help="articles clustered and timed at each size")
    parser.add_argument("--span-days", type=float, default=730.0, help="days the stored articles cover")
    parser.add_argument(
        "--window-days",
        type=float,
        default=float(Settings().story_window_days),
        help="story window loaded, as the pipeline does (0: hold every stored article)",
    )
    parser.add_argument(
        "--all-held-up-to",
        type=int,
        default=100_000,
        help="also run sizes up to this with every article held",
    )
    parser.add_argument("--real", type=int, default=None, help="real articles to resample (default all)")
    parser.add_argument("--profile", metavar="DIR", help="write a cProfile of each size's timed loop here")
    parser.add_argument("--skip-threads", action="store_true", help="leave out the per-run thread step")
    parser.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_size(args)))
        return

    real, timings = real_features(args.real)
    count = timings["articles"]
    embed_rate, views_rate = count / timings["embed_s"], count / timings["views_s"]
    print(
        f"{len(real)} real articles: embedding {embed_rate:.0f}/s, terms+entities {views_rate:.0f}/s, "
        f"enrichment {count / timings['enrich_s']:.1f}/s",
        file=sys.stderr,
    )
    sizes = [int(size) for size in args.sizes.split(",")]
    runs = [(size, args.window_days) for size in sizes]
    if args.window_days != ALL_HELD:
        runs += [(size, ALL_HELD) for size in sizes if size <= args.all_held_up_to]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        real_path = Path(tmp) / "real.pkl"
        real_path.write_bytes(pickle.dumps(real))
        for size, window in runs:
            profile = None
            if args.profile:
                Path(args.profile).mkdir(parents=True, exist_ok=True)
                profile = str(Path(args.profile) / f"story_scale-{size}-{int(window)}.txt")
            results.append(_child(real_path, size, args, window, profile))

    rows = []
    for r in results:
        held = r["held"]
        rows.append(
            [
                f"{r['stored']:,}",
                f"{held:,}" + (" (all)" if r["window_days"] == ALL_HELD else ""),
                f"{r['load_s']:.1f} ({r['load_s'] * 1000 / max(1, held):.2f})",
                _seconds(r["hnsw_s"]),
                f"{r['articles_per_s']:.0f}",
                f"{r['ms_median']:.2f} / {r['ms_p90']:.2f} / {r['ms_overall']:.2f}",
                _seconds(r.get("threads_s")),
                f"{r['rss_mib']:,.0f} ({r['peak_rss_mib']:,.0f})",
            ]
        )
    table = markdown_table(
        [
            "stored articles",
            "held by the clusterer",
            "load s (s per 1k)",
            "HNSW build s",
            "articles/s (clustering)",
            "ms/article median / p90 / overall",
            "threads s (per run)",
            "RSS MiB (peak)",
        ],
        rows,
    )
    print(table)
    largest = results[len(sizes) - 1] if results else None
    combined = ""
    if largest:
        rate = 1 / (1 / embed_rate + 1 / views_rate + 1 / largest["articles_per_s"])
        combined = (
            f"At {largest['stored']:,} stored, embedding + terms/entities + clustering together: "
            f"{rate:.0f} articles/s on one core."
        )
    memory = ""
    if len(results) > 1:
        small, big = min(results, key=lambda r: r["held"]), max(results, key=lambda r: r["held"])
        if big["held"] > small["held"]:
            per_article = (big["rss_mib"] - small["rss_mib"]) / (big["held"] - small["held"])
            memory = (
                f"Memory grows by about {per_article * 1024:.0f} KiB per held article (RSS: features, vectors, "
                f"index, story profiles, and memory Python keeps after loading), so holding all of {max(sizes):,} stored articles would need about "
                f"{per_article * max(sizes) / 1024:.1f} GiB."
            )
    print(combined, memory, sep="\n")
    if args.no_record:
        return
    body = f"""Command: `.venv/bin/python -m bench.story_scale --sizes {args.sizes} --new {args.new}` \
({date.today().isoformat()}, {os.cpu_count()} cores, Python {platform.python_version()}, one thread).

Real material: {count} Wikinews 2019-2020 articles through `record_article` -> `enrich_articles` -> \
`story_features` (USE multilingual, one BLAS thread):

* embedding (title + lead): {embed_rate:.0f} articles/s
* features (terms + entities, excluding enrichment): {views_rate:.0f} articles/s
* enrichment, for reference (issue 3's stage, not part of clustering): {count / timings["enrich_s"]:.1f} articles/s

Scale is synthesised by resampling those features (speed and memory only): N stored articles over \
{args.span_days:.0f} days in events of 1-8 articles, each decoded as the store decodes a row (float16 vector, \
JSON terms and entities). As `cluster_stories` does, the clusterer `load`s the stories active in the \
{args.window_days:.0f}-day window ("held"; "(all)" rows hold every stored article), then {args.new} new \
articles from the next day are clustered in batches of {BATCH} (`add_many` + `maintain` + `drain_touched`). \
ms/article is per batch; the HNSW graph (above {EXACT_SEARCH_LIMIT:,} held vectors) is built at the first search; \
threads = `thread_links` (probed around the stories this run changed) + `build_threads` over every held story, once per run; RSS after the run (peak), with the synthetic store and the loaded records freed (Python keeps some freed memory, so RSS is an upper bound on the clusterer's state).

{table}

{combined} {memory}
"""
    record_section(SECTION, body)


if __name__ == "__main__":
    main()
