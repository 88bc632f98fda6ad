"""Shared runner for the fuzz targets in this folder.

Each ``fuzz_*.py`` defines ``test_one_input(data: bytes)``, which must raise
nothing but the parser's own domain errors.  Run one with:

    python fuzz/fuzz_feeds.py                 # atheris when installed, else hypothesis
    python fuzz/fuzz_feeds.py --hypothesis    # force hypothesis (default 2,000 examples)
    python fuzz/fuzz_feeds.py --examples=20000
    python fuzz/fuzz_feeds.py crash-1234      # replay saved inputs (files) once each

Under hypothesis the inputs are random bytes plus the hand-made fixtures in
``tests/fixtures/ingest`` spliced with random bytes, which reaches far deeper
into the parsers than random bytes alone.  atheris (libFuzzer) is optional and
not a project dependency: ``pip install atheris`` on a machine with clang.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"

if importlib.util.find_spec("dateline") is None:  # running from a checkout without an install
    sys.path.insert(0, str(ROOT / "src"))


@contextlib.contextmanager
def instrumented() -> Iterator[None]:
    """Imports inside this block are coverage-instrumented when atheris is present."""
    try:
        import atheris  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        yield
        return
    with atheris.instrument_imports():
        yield


def seeds(*patterns: str) -> list[bytes]:
    found: list[bytes] = []
    for pattern in patterns:
        found.extend(path.read_bytes() for path in sorted(FIXTURES.glob(pattern)))
    return found


def run(target: Callable[[bytes], None], seed_inputs: list[bytes], argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    files = [arg for arg in args if not arg.startswith("-")]
    if files:
        for name in files:
            target(Path(name).read_bytes())
        print(f"replayed {len(files)} input(s) without an unexpected exception")
        return
    use_hypothesis = "--hypothesis" in args
    if not use_hypothesis:
        try:
            import atheris
        except ImportError:
            use_hypothesis = True
        else:
            atheris.Setup([sys.argv[0], *args], target)
            atheris.Fuzz()
            return
    examples = 2000
    for arg in args:
        if arg.startswith("--examples="):
            examples = int(arg.split("=", 1)[1])
    run_with_hypothesis(target, seed_inputs, examples)
    print(f"{examples} hypothesis examples without an unexpected exception")


def run_with_hypothesis(target: Callable[[bytes], None], seed_inputs: list[bytes], examples: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    for seed in seed_inputs:
        target(seed)

    def splice(parts: tuple[bytes, int, int, bytes]) -> bytes:
        seed, start, length, junk = parts
        start %= len(seed) + 1
        return seed[:start] + junk + seed[start + length :]

    inputs = st.binary(max_size=4096)
    if seed_inputs:
        spliced = st.tuples(
            st.sampled_from(seed_inputs),
            st.integers(0, 1 << 20),
            st.integers(0, 64),
            st.binary(max_size=64),
        ).map(splice)
        inputs = st.one_of(inputs, spliced)

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(inputs)
    def fuzz(data: bytes) -> None:
        target(data)

    fuzz()
