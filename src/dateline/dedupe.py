"""Duplicate detection as pure functions: exact (normalised text, canonical URL) and near (MinHash + LSH bands).

The LSH bands are plain integers so the store can index them: finding near-duplicate
candidates is one indexed lookup, whatever the size of the store, and the same
functions run unchanged inside Spark.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from datasketch import MinHash

ALGORITHM = "minhash.v1"
NUM_PERM = 120
BANDS = 20
ROWS_PER_BAND = NUM_PERM // BANDS  # 6 rows: candidates at Jaccard 0.8 found with p≈0.998, at 0.5 with p≈0.27
SHINGLE_WORDS = 5
_SEED = 20251130

_WORD = re.compile(r"\w+", re.UNICODE)
_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga|_gl|ref|ref_src|cmpid|ocid|"
    r"smid|smtyp|at_medium|at_campaign|at_custom\d*|ito|itm_\w+|guccounter|__twitter_impression)$",
    re.IGNORECASE,
)

# One permutation set for the whole process: building it is the expensive part of MinHash().
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=_SEED)


def normalise_text(text: str) -> str:
    """Case-, accent-form-, punctuation- and whitespace-insensitive form used for exact duplicates."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(folded))


def text_hash(text: str) -> str:
    return hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()


def canonical_url(url: str | None) -> str | None:
    """Scheme and host lower-cased, default port, fragment and tracking parameters dropped, params sorted."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING_PARAMS.match(k)))
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    # http and https copies of one page are one page.
    return urlunsplit(("https", netloc, path, query, ""))


def shingles(text: str, size: int = SHINGLE_WORDS) -> list[bytes]:
    tokens = normalise_text(text).split()
    if len(tokens) < size:
        return [" ".join(tokens).encode("utf-8")] if tokens else []
    return [" ".join(tokens[i : i + size]).encode("utf-8") for i in range(len(tokens) - size + 1)]


def minhash_signature(text: str) -> np.ndarray:
    """120 uint32 MinHash values over word 5-shingles."""
    minhash = _TEMPLATE.copy()
    grams = shingles(text)
    if grams:
        minhash.update_batch(grams)
    return minhash.hashvalues.astype(np.uint32)


def band_keys(signature: np.ndarray) -> list[int]:
    """One signed 64-bit key per band: the band number in the top bits, a hash of its rows below."""
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND].tobytes()
        digest = int.from_bytes(hashlib.blake2b(rows, digest_size=7).digest(), "big")
        keys.append((band << 56) | digest)
    return keys


def signature_to_bytes(signature: np.ndarray) -> bytes:
    return signature.astype("<u4").tobytes()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def estimated_jaccard(first: np.ndarray, second: np.ndarray) -> float:
    if len(first) != len(second) or not len(first):
        return 0.0
    return float(np.count_nonzero(first == second)) / len(first)


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    article_id: str
    published_at: datetime | None
    ingested_at: datetime
    similarity: float
    is_copy: bool = False  # an aggregator's re-serving (``via`` set): never the original when a source exists
    timed: bool = False  # the publication time is known, not just the day


def _earliest_key(candidate: DuplicateCandidate) -> tuple[int, str, bool, bool, str, str, str]:
    # Known publication dates first, earliest day first. On the same day: the publisher's own copy beats an
    # aggregator's, and a copy with a known time beats a day-only one (whose midnight would otherwise always
    # win); then the time, then ingest order; ids break ties deterministically.
    published = candidate.published_at
    naive = published.replace(tzinfo=None) if published else None
    return (
        0 if published else 1,
        naive.date().isoformat() if naive else "",
        candidate.is_copy,
        not candidate.timed,
        naive.isoformat() if naive and candidate.timed else "",
        candidate.ingested_at.replace(tzinfo=None).isoformat(),
        candidate.article_id,
    )


def choose_original(group: Sequence[DuplicateCandidate]) -> DuplicateCandidate:
    """The copy the others are marked ``duplicate_of``: the earliest published."""
    return min(group, key=_earliest_key)


def near_duplicates(
    signature: np.ndarray, candidates: Iterable[tuple[str, np.ndarray]], threshold: float
) -> list[tuple[str, float]]:
    """Candidates whose estimated Jaccard similarity reaches the threshold, most similar first."""
    scored = [(article_id, estimated_jaccard(signature, other)) for article_id, other in candidates]
    return sorted(((a, s) for a, s in scored if s >= threshold), key=lambda item: (-item[1], item[0]))
