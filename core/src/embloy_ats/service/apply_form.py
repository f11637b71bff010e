"""Reading an application form (`multipart/form-data`) part by part, capped while it streams.

The body is never buffered whole: a declared `Content-Length` over the overall cap is refused
before a byte is read, and the bytes are counted as they arrive, so a body without a length
(chunked) is refused as soon as it passes the cap. A file part keeps at most one byte more
than the per-file cap (the rest is read and dropped), so a file slightly too large still
gets its plain `422` next to its field, with the other answers kept; a text part keeps at
most what the longest answer may hold, plus a little, for the same reason.

The overall cap is the room for the files (the per-file cap times the file parts a form
may have, at most the cap on all files together) plus an allowance for the text answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from embloy_ats.applications import Limits, UploadedFile

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

#: file parts one form may have; files per question times file questions stays below this.
MAX_FILE_PARTS = 100
#: text parts one form may have (a multiple-choice answer is one part per option chosen).
MAX_TEXT_PARTS = 1000
#: the least room for the text answers and the multipart framing around every part.
TEXT_ALLOWANCE = 2 * 1024 * 1024
#: UTF-8 takes at most this many bytes per character.
_UTF8_MAX = 4


@dataclass(frozen=True)
class FormCaps:
    """How much of a form is read and kept."""

    #: the whole body.
    max_body: int
    #: bytes kept of one file part (one more than the per-file cap: enough to tell).
    keep_file_bytes: int
    #: bytes kept of one text part.
    keep_text_bytes: int
    max_files: int = MAX_FILE_PARTS
    max_fields: int = MAX_TEXT_PARTS

    @classmethod
    def of(cls, limits: Limits) -> FormCaps:
        longest = max(limits.max_short_text, limits.max_long_text)
        # one character more than the longest answer may have, in any script
        keep_text = _UTF8_MAX * (longest + 1)
        files = min(limits.max_file_bytes * MAX_FILE_PARTS, limits.max_total_file_bytes)
        return cls(
            max_body=files + max(TEXT_ALLOWANCE, 8 * keep_text),
            keep_file_bytes=limits.max_file_bytes + 1,
            keep_text_bytes=keep_text,
        )


class UnreadableForm(Exception):
    """The body is not a form this endpoint reads, or is larger than it takes."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class ApplyForm:
    """The form's text values and file parts, by field name, in the order they came."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[UploadedFile]] = field(default_factory=dict)

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None


def too_large(caps: FormCaps) -> UnreadableForm:
    return UnreadableForm(
        413,
        "body_too_large",
        f"the form is larger than {caps.max_body} bytes; attach smaller files",
    )


def declared_too_large(headers: Mapping[str, str], caps: FormCaps) -> bool:
    """Whether the request says, before its body, that the body is over the cap."""
    declared = headers.get("content-length", "").strip()
    return declared.isdigit() and int(declared) > caps.max_body


async def read_apply_form(
    headers: Mapping[str, str], body: AsyncIterator[bytes], caps: FormCaps
) -> ApplyForm:
    """Parse the body as it arrives; `UnreadableForm` (415, 413, 400) when it cannot be."""
    kind, params = parse_options_header(headers.get("content-type", ""))
    if kind != b"multipart/form-data":
        raise UnreadableForm(
            415, "unsupported_media_type", "send the application as multipart/form-data"
        )
    boundary = params.get(b"boundary")
    if not boundary:
        raise UnreadableForm(400, "unreadable_form", "the multipart body names no boundary")
    if declared_too_large(headers, caps):
        raise too_large(caps)
    parts = _Parts(caps)
    try:
        parser = MultipartParser(boundary, parts.callbacks())
        received = 0
        async for chunk in body:
            received += len(chunk)
            if received > caps.max_body:
                raise too_large(caps)
            parser.write(chunk)
        parser.finalize()
    except ClientDisconnect:
        raise UnreadableForm(
            400, "unreadable_form", "the client left before the form was complete"
        ) from None
    except FormParserError:
        raise UnreadableForm(
            400, "unreadable_form", "the body is not valid multipart form data"
        ) from None
    if not parts.ended:
        raise UnreadableForm(400, "unreadable_form", "the form ended before it was complete")
    return parts.form


class _Parts:
    """The parser's callbacks: each part's headers, then its data, kept up to its cap."""

    def __init__(self, caps: FormCaps) -> None:
        self.caps = caps
        self.form = ApplyForm()
        self.ended = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._content_type = b""
        self._name = ""
        self._filename: str | None = None
        self._data = bytearray()
        self._files = 0
        self._fields = 0

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._on_data,
            "on_part_end": self._end,
            "on_end": self._on_end,
        }

    def _begin(self) -> None:
        self._disposition = self._content_type = b""
        self._name, self._filename = "", None
        self._data = bytearray()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        name = bytes(self._header_name).strip().lower()
        if name == b"content-disposition":
            self._disposition = bytes(self._header_value)
        elif name == b"content-type":
            self._content_type = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise UnreadableForm(400, "unreadable_form", "a form part has no name")
        self._name = _text(options[b"name"])
        if b"filename" in options:
            self._files += 1
            if self._files > self.caps.max_files:
                raise UnreadableForm(
                    413, "too_many_parts", f"the form has more than {self.caps.max_files} files"
                )
            self._filename = _text(options[b"filename"])
        else:
            self._fields += 1
            if self._fields > self.caps.max_fields:
                raise UnreadableForm(
                    413, "too_many_parts", f"the form has more than {self.caps.max_fields} fields"
                )

    def _on_data(self, data: bytes, start: int, end: int) -> None:
        keep = (
            self.caps.keep_file_bytes if self._filename is not None else self.caps.keep_text_bytes
        )
        room = keep - len(self._data)
        if room > 0:
            self._data += data[start : min(end, start + room)]

    def _end(self) -> None:
        if self._filename is None:
            # browsers send a textarea's line breaks as CRLF, whatever the candidate's system
            value = bytes(self._data).decode("utf-8", errors="replace").replace("\r\n", "\n")
            self.form.fields.setdefault(self._name, []).append(value)
            return
        content_type = parse_options_header(self._content_type)[0].decode("latin-1")
        self.form.files.setdefault(self._name, []).append(
            UploadedFile(
                self._filename, content_type or "application/octet-stream", bytes(self._data)
            )
        )

    def _on_end(self) -> None:
        self.ended = True


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")
