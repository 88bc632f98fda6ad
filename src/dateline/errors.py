"""Domain errors: one type per failure kind, each with a message a user can act on.

The CLI turns any of these into one line and a non-zero exit; the pipeline
records them in the ingest log and goes on with the rest of the batch.
"""

from __future__ import annotations


class DatelineError(Exception):
    """Base of every error Dateline raises on purpose."""

    stage = "ingest"


class InputError(DatelineError):
    """An input could not be read at all (missing file, unreadable stdin, bad glob)."""

    stage = "read"


class TooLargeError(DatelineError):
    """An input is over the configured size cap."""

    stage = "read"


class DecodeError(DatelineError):
    """Bytes could not be turned into text (binary junk, undecodable encoding, broken gzip)."""

    stage = "decode"


class UnsupportedFormatError(DatelineError):
    """Content matched none of the formats Dateline reads."""

    stage = "detect"


class ParseError(DatelineError):
    """A structured format (feed, OPML, JSONL, WARC) was malformed."""

    stage = "parse"


class ExtractionError(DatelineError):
    """A page parsed but held no article text worth keeping."""

    stage = "extract"


class FetchError(DatelineError):
    """A URL could not be fetched (network, HTTP status, robots.txt, timeout)."""

    stage = "fetch"


class BlockedAddressError(FetchError):
    """A URL resolves to a loopback, private, link-local or metadata address (SSRF guard)."""


class StoreError(DatelineError):
    """The database could not be opened or migrated."""

    stage = "store"


class SynthesisError(DatelineError):
    """A story's synthesis could not be built (its articles are kept; the failure is in the ingest log)."""

    stage = "synthesize"
