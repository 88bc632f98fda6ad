"""Turn what the user typed (files, folders, globs, '-', URLs) into a stream of inputs to read."""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dateline.errors import InputError, TooLargeError

STDIN = "-"


@dataclass(frozen=True, slots=True)
class InputRef:
    kind: str  # 'file' | 'url' | 'stdin'
    location: str

    @property
    def name(self) -> str:
        return "<stdin>" if self.kind == "stdin" else self.location


def is_url(spec: str) -> bool:
    lowered = spec.lower()
    return lowered.startswith(("http://", "https://"))


def _walk(folder: Path) -> Iterator[Path]:
    # Sorted, hidden entries skipped: the same folder always ingests in the same order.
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def expand_inputs(specs: Iterable[str]) -> Iterator[InputRef | InputError]:
    """Each spec becomes one or more inputs; a spec that names nothing yields an InputError (never raises)."""
    for spec in specs:
        if spec == STDIN:
            yield InputRef("stdin", STDIN)
        elif is_url(spec):
            yield InputRef("url", spec)
        elif any(ch in spec for ch in "*?["):
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                yield InputError(f"{spec}: the pattern matches no file")
            for match in matches:
                path = Path(match)
                if path.is_dir():
                    yield from (InputRef("file", str(p)) for p in _walk(path))
                elif path.is_file():
                    yield InputRef("file", str(path))
        else:
            path = Path(spec).expanduser()
            if path.is_dir():
                yield from (InputRef("file", str(p)) for p in _walk(path))
            elif path.is_file():
                yield InputRef("file", str(path))
            elif path.exists():
                yield InputError(f"{spec}: not a regular file or folder")
            else:
                yield InputError(f"{spec}: no such file or folder")


def _read_capped(stream: BinaryIO, max_bytes: int, name: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLargeError(f"{name}: larger than the {max_bytes // (1024 * 1024)} MB limit")
    return data


def read_input(ref: InputRef, max_bytes: int) -> bytes:
    """The bytes of a file or of stdin, refusing anything over MAX_BYTES before reading it all."""
    if ref.kind == "stdin":
        return _read_capped(sys.stdin.buffer, max_bytes, "<stdin>")
    try:
        size = os.path.getsize(ref.location)
        if size > max_bytes:
            raise TooLargeError(
                f"{ref.location}: {size / (1024 * 1024):.1f} MB is over the {max_bytes // (1024 * 1024)} MB limit"
            )
        with open(ref.location, "rb") as handle:
            return _read_capped(handle, max_bytes, ref.location)
    except OSError as exc:
        raise InputError(f"{ref.location}: {exc.strerror or exc}") from exc
