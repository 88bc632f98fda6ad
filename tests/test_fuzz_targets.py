"""Every fuzz target in fuzz/ runs a short hypothesis session, so none of them rots between real fuzzing runs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
TARGETS = sorted(p for p in FUZZ.glob("fuzz_*.py"))


@pytest.mark.parametrize("path", TARGETS, ids=[p.stem for p in TARGETS])
def test_fuzz_target_survives_a_short_session(path: Path) -> None:
    sys.path.insert(0, str(FUZZ))
    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        harness = sys.modules["_harness"]
        seeds = module._seeds() if hasattr(module, "_seeds") else []
        harness.run_with_hypothesis(module.test_one_input, seeds, examples=40)
    finally:
        sys.path.remove(str(FUZZ))


def test_every_parser_has_a_fuzz_target() -> None:
    names = {p.stem for p in TARGETS}
    assert {
        "fuzz_detect",
        "fuzz_decode",
        "fuzz_feeds",
        "fuzz_opml",
        "fuzz_warc",
        "fuzz_jsonl",
        "fuzz_extract",
        "fuzz_enrich",
    } <= names
