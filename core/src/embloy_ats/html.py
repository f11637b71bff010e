"""HTML from an ATS is untrusted: sanitise it, decode it once, and derive plain text."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s",
        "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
        "tr", "u", "ul",
    }
)  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_URL_SCHEMES = frozenset({"http", "https", "mailto"})

_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "hr",
     "blockquote", "pre", "table", "dl", "dt", "dd"}
)  # fmt: skip
_BLANKS = re.compile(r"[ \t\r\f\v\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


# Built once: constructing the rules per call was most of the cost of cleaning a description.
_CLEANER = nh3.Cleaner(
    tags=set(_TAGS),
    attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()},
    url_schemes=set(_URL_SCHEMES),
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def sanitize_html(fragment: str) -> str:
    """Keep formatting, drop everything that can run or track: scripts, handlers, styles."""
    return _CLEANER.clean(fragment)


def decode_entities_once(text: str) -> str:
    """Undo one level of entity encoding (Greenhouse sends `content` as `&lt;p&gt;...`).

    Exactly once: `&amp;lt;` becomes `&lt;`, which then shows as a literal `<` in the page,
    as the author wrote it.
    """
    return html.unescape(text)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Readable plain text: block elements become line breaks, list items get a dash."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    lines = (_BLANKS.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    text = "\n".join(lines)
    return _MANY_NEWLINES.sub("\n\n", text).strip()
