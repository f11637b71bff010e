"""Safe XML: feeds an ATS publishes as XML, read without trusting them.

Parsing goes through defusedxml with DTDs, entity declarations and external references
refused (no billion laughs, no external entity fetching), nesting is capped while the
document streams in, and a feed is read record by record: every record but the one asked for
is dropped as soon as it has been parsed, and so is every other child of the root, so a
feed of thousands of jobs never sits in memory as a tree, and nothing of the other jobs is
kept. The parser is fed in small chunks: the events of one chunk are held until they are
read, and a chunk of tiny elements makes many of them. CDATA sections and XML's own
entities (`&amp;`) are decoded exactly once, by the parser; what comes out is the text as
the feed means it (HTML inside CDATA stays HTML, for the model's sanitiser).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from pydantic import JsonValue

from embloy_ats.errors import PayloadError

#: deeper than any feed we read needs; a document nested further is refused as it streams.
MAX_DEPTH = 32
#: bytes handed to the parser at a time (iterparse asks for 16 KiB; 16 KiB of `<x/>` are
#: 8192 events held at once, ~850 KB: a smaller chunk keeps that well under the feed's size).
CHUNK = 4096
_HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)


def is_html(body: bytes) -> bool:
    """An HTML page (a login or home page served where a feed was expected)."""
    return _HTML_START.match(body[:4096]) is not None


def to_json(element: Element, lists: Collection[str] = ()) -> JsonValue:
    """One element as JSON: its text when it has no children, else an object of its
    children by tag (a repeated tag gives a list). A tag in `lists` is a container whose
    children always form a list, however many there are. Attributes are not read."""
    children = list(element)
    if element.tag in lists:
        return [to_json(child, lists) for child in children]
    if not children:
        return element.text or ""
    grouped: dict[str, list[JsonValue]] = {}
    for child in children:
        grouped.setdefault(child.tag, []).append(to_json(child, lists))
    return {tag: values[0] if len(values) == 1 else values for tag, values in grouped.items()}


class _Chunks:
    """`body` read at most `CHUNK` bytes at a time, whatever the reader asks for."""

    def __init__(self, body: bytes) -> None:
        self._body = io.BytesIO(body)

    def read(self, size: int = -1) -> bytes:
        return self._body.read(CHUNK if size < 0 else min(size, CHUNK))


def find_record(
    body: bytes,
    *,
    root: str,
    record: str,
    match: Callable[[Element], bool],
    lists: Collection[str] = (),
    max_depth: int = MAX_DEPTH,
) -> JsonValue | None:
    """The first `record` child of the `root` element for which `match` is true, as JSON
    (see `to_json`); None when no record matches. Records are dropped once parsed.

    Raises `PayloadError` (in our own words, never the feed's) for XML that is malformed,
    declares a DTD or entities, nests deeper than `max_depth`, or has another root.
    """
    depth = 0
    top: Element | None = None
    found: JsonValue | None = None
    try:
        for event, element in iterparse(_Chunks(body), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                if depth > max_depth:
                    raise PayloadError(f"answered XML nested deeper than {max_depth} levels")
                if top is None:
                    top = element
                    if element.tag != root:
                        raise PayloadError(f"answered XML whose root is not <{root}>")
                continue
            depth -= 1
            if depth == 1:
                # a finished child of the root, a record or not: read it if it is the match,
                # then drop it and the root's hold on it, so only the match is kept (a feed
                # of other elements must not grow a tree many times its size either)
                if element.tag == record and found is None and match(element):
                    found = to_json(element, lists)
                assert top is not None  # a child of the root is inside the root
                element.clear()
                top.clear()
    except ParseError as exc:
        line, column = getattr(exc, "position", ("?", "?"))
        raise PayloadError(
            f"answered XML that does not parse (line {line}, column {column}; truncated?)"
        ) from None
    except DefusedXmlException:
        raise PayloadError(
            "answered XML with a DTD, an entity declaration or an external reference; "
            "refused unread"
        ) from None
    return found


__all__ = ["MAX_DEPTH", "find_record", "is_html", "to_json"]
