"""What a file really is, judged by its bytes, and which kinds a question accepts.

A candidate's browser names the file and declares its type; both are the candidate's word.
The ATS receives what we pass on, so the kind is read from the content (magic bytes and,
for ZIP-based documents, the archive's directory: no entry is ever extracted), and the
name's extension is corrected to match it.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum


class FileKind(StrEnum):
    PDF = "pdf"
    DOC = "doc"
    DOCX = "docx"
    ODT = "odt"
    RTF = "rtf"
    TXT = "txt"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"


@dataclass(frozen=True)
class KindInfo:
    content_type: str
    extension: str
    #: other spellings of the extension and content type a question may list.
    aliases: tuple[str, ...] = ()


KINDS: dict[FileKind, KindInfo] = {
    FileKind.PDF: KindInfo("application/pdf", ".pdf"),
    FileKind.DOC: KindInfo("application/msword", ".doc", (".dot",)),
    FileKind.DOCX: KindInfo(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
    ),
    FileKind.ODT: KindInfo("application/vnd.oasis.opendocument.text", ".odt"),
    FileKind.RTF: KindInfo("application/rtf", ".rtf", ("text/rtf",)),
    FileKind.TXT: KindInfo("text/plain", ".txt", (".text",)),
    FileKind.PNG: KindInfo("image/png", ".png"),
    FileKind.JPEG: KindInfo("image/jpeg", ".jpg", (".jpeg", ".jpe", "image/jpg", "image/pjpeg")),
    FileKind.GIF: KindInfo("image/gif", ".gif"),
    FileKind.WEBP: KindInfo("image/webp", ".webp"),
}
_DOCUMENTS = frozenset(
    {FileKind.PDF, FileKind.DOC, FileKind.DOCX, FileKind.ODT, FileKind.RTF, FileKind.TXT}
)
_IMAGES = frozenset({FileKind.PNG, FileKind.JPEG, FileKind.GIF, FileKind.WEBP})
#: what a file question that names no types accepts: documents and pictures, nothing else.
DEFAULT_ACCEPTED = _DOCUMENTS | _IMAGES

_BY_NAME: dict[str, frozenset[FileKind]] = {"image/*": _IMAGES}
for _kind, _info in KINDS.items():
    for _spelling in (_info.content_type, _info.extension, *_info.aliases):
        _BY_NAME[_spelling] = frozenset({_kind})

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
#: C0 controls that never occur in a plain-text document (tab, newlines, form feed do).
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: how much of a text file is checked: enough to tell text from binary.
_TEXT_SAMPLE = 64 * 1024


@dataclass(frozen=True)
class Accepted:
    """The kinds a question accepts; `unjudged` are types it names that we cannot read
    from content (e.g. `.pages`), accepted by the name's extension alone."""

    kinds: frozenset[FileKind]
    unjudged: frozenset[str]

    def describe(self) -> str:
        names = sorted({KINDS[kind].extension for kind in self.kinds} | self.unjudged)
        return ", ".join(names)


def accepted_kinds(accepted_file_types: tuple[str, ...]) -> Accepted:
    """The kinds a question's `accepted_file_types` (extensions or MIME types) stand for."""
    kinds: set[FileKind] = set()
    unjudged: set[str] = set()
    for raw in accepted_file_types:
        name = raw.strip().casefold()
        if not name:
            continue
        if "/" not in name and not name.startswith("."):
            name = "." + name  # "pdf" -> ".pdf"
        found = _BY_NAME.get(name)
        if found is not None:
            kinds |= found
        elif re.fullmatch(r"\.[a-z0-9]{1,10}", name):
            unjudged.add(name)
    if not kinds and not unjudged:
        kinds = set(DEFAULT_ACCEPTED)
    return Accepted(frozenset(kinds), frozenset(unjudged))


def sniff(data: bytes) -> FileKind | None:
    """The kind of file `data` is, from its content; None when it is none we know."""
    head = data[:16]
    if b"%PDF-" in data[:1024]:
        return FileKind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return FileKind.GIF
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return FileKind.WEBP
    if head.startswith(b"{\\rtf"):
        return FileKind.RTF
    if head.startswith(_OLE):
        # Word, Excel and PowerPoint share the container; a Word file has this stream.
        return FileKind.DOC if _WORD_STREAM in data else None
    if head.startswith(b"PK\x03\x04"):
        return _zipped(data)
    if _is_text(data):
        return FileKind.TXT
    return None


def _zipped(data: bytes) -> FileKind | None:
    """DOCX or ODT, from the archive's directory; nothing is decompressed but the ODT
    `mimetype` entry, which the format stores uncompressed and short."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return FileKind.DOCX
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if (
                    info.file_size <= 100
                    and info.compress_type == zipfile.ZIP_STORED
                    and archive.read("mimetype").strip() == _ODT_MIMETYPE
                ):
                    return FileKind.ODT
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    """UTF-8 (or UTF-16 with a byte-order mark) text without binary control characters."""
    if not data:
        return False
    sample = data[:_TEXT_SAMPLE]
    cut = len(data) > _TEXT_SAMPLE  # the sample may end inside a character
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = sample[: len(sample) // 2 * 2].decode("utf-16", "replace")
        body = text[:-1] if cut else text
    else:
        text = sample.decode("utf-8", "replace")
        body = text[:-3] if cut else text
    return "\ufffd" not in body and _BINARY_CONTROLS.search(text) is None


def extension_of(name: str) -> str:
    match = re.search(r"(\.[A-Za-z0-9]{1,10})$", name)
    return match.group(1).casefold() if match else ""


def name_for(name: str, kind: FileKind) -> str:
    """`name` with the extension of `kind`: `cv.docx` holding a PDF is sent as `cv.pdf`."""
    info = KINDS[kind]
    extension = extension_of(name)
    if extension in (info.extension, *info.aliases):
        return name
    stem = name[: len(name) - len(extension)] if extension else name
    return (stem or "file") + info.extension
