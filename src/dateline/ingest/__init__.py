"""Ingest: turning outside bytes into ``RawDocument`` records.

One module per concern, all pure functions over bytes except ``fetch``:

* ``detect``  - ``detect_format``: what the bytes are (content first, name/media type as hints)
* ``decode``  - ``decode_bytes``, ``maybe_gunzip``: bytes to text, gzip with a size cap
* ``feeds``   - ``parse_feed``, ``entry_is_complete``, ``entry_to_raw_document``: RSS/Atom
* ``opml``    - ``parse_opml``, ``write_opml``: subscription lists
* ``warc``    - ``iter_warc``: web archives
* ``jsonl``   - ``iter_jsonl_records``, ``record_to_parts``: our own JSON Lines contract
* ``fetch``   - ``Fetcher``: HTTP with the SSRF guard, robots.txt, rate limits, conditional GET

Modules are imported by name (``from dateline.ingest.feeds import parse_feed``)
so that reading a text file does not pay for importing httpx or feedparser.
"""
