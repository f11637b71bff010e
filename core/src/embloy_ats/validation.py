"""Untrusted input never reaches a URL unchecked.

Job ids and tenant subdomains come from partners and candidates' browsers. They are checked
against a strict pattern (full match, ASCII only) before any request is built, and every
path segment is percent-encoded on top, so `../`, `%2F`, `?`, `#`, whitespace and control
characters can never change which resource we ask for.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Annotated
from urllib.parse import quote, urlsplit

from pydantic import AfterValidator

from embloy_ats.errors import ConfigurationError, InvalidJobId

NUMERIC_ID = re.compile(r"[1-9][0-9]{0,19}")
UUID_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SUBDOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
#: A value that may stand as one path segment of an ATS URL (board tokens, site names...).
PATH_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
_TEMPLATE_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_MAX_ID_LENGTH = 256

ALLOW_PRIVATE_NETWORK_ENV = "EMBLOY_ATS_ALLOW_PRIVATE_NETWORK"
PRIVATE_NETWORK_HINT = (
    f"Set {ALLOW_PRIVATE_NETWORK_ENV}=1 to allow it (sandboxes and local fakes only)."
)


def check_job_id(job_id: object, pattern: re.Pattern[str], *, connector: str) -> str:
    """The job id itself, if it fully matches the connector's pattern; InvalidJobId if not."""
    if not isinstance(job_id, str) or not job_id:
        raise InvalidJobId("the job id is empty", connector=connector)
    shown = job_id[:64]
    if len(job_id) > _MAX_ID_LENGTH or not job_id.isascii() or not pattern.fullmatch(job_id):
        raise InvalidJobId(
            f"{shown!r} is not a valid job id (expected {pattern.pattern})",
            connector=connector,
        )
    return job_id


def _subdomain(value: str) -> str:
    lowered = value.lower()
    if not lowered.isascii() or not SUBDOMAIN.fullmatch(lowered):
        raise ValueError("must be a single DNS label (a-z, 0-9 and inner '-', at most 63)")
    return lowered


def _path_segment(value: str) -> str:
    if not value.isascii() or not PATH_SEGMENT.fullmatch(value):
        raise ValueError("must be one URL path segment (letters, digits, '.', '_', '~', '-')")
    return value


#: A tenant's subdomain (`acme` in acme.workable.com), checked as one lower-case DNS label.
Subdomain = Annotated[str, AfterValidator(_subdomain)]
#: A setting that stands as one segment of a URL path (board tokens, site names).
PathSegment = Annotated[str, AfterValidator(_path_segment)]


def build_path(template: str, **segments: str) -> str:
    """Fill `/v1/boards/{board}/jobs/{job_id}`; every value is one encoded segment."""
    missing = set(_TEMPLATE_FIELD.findall(template)) - segments.keys()
    if missing:
        raise ConfigurationError(f"path template {template!r} lacks values for {sorted(missing)}")

    def fill(match: re.Match[str]) -> str:
        value = segments[match.group(1)]
        if value in ("", ".", "..") or not value.isprintable():
            raise ConfigurationError(f"refusing to put {value[:64]!r} into a URL path")
        return quote(value, safe="")

    return _TEMPLATE_FIELD.sub(fill, template)


def is_http_url(text: str) -> bool:
    """An absolute http(s) URL with no blank or control character anywhere in it."""
    scheme, sep, rest = text.partition("://")
    return (
        bool(sep)
        and scheme.lower() in ("http", "https")
        and bool(rest)
        and _BLANK_OR_CONTROL.search(text) is None
    )


# `\s` is exactly `str.isspace()`; the range adds the C0 controls that are not blanks.
_BLANK_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def private_network_allowed() -> bool:
    return os.environ.get(ALLOW_PRIVATE_NETWORK_ENV, "").strip().lower() in ("1", "true", "yes")


def is_private_address(address: str) -> bool:
    """Loopback, private, link-local, unspecified, reserved or multicast: not the internet."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def is_private_host(host: str) -> bool:
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost") or name.endswith(".local"):
        return True
    return is_private_address(name)


def check_base_url(url: str, *, connector: str, allow_private: bool) -> str:
    """An API origin: http(s), a host, no credentials, no query; private hosts refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError(
            f"base_url {url[:100]!r} is not a URL", connector=connector
        ) from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(
            f"base_url must be an http(s) URL with a host, got {url[:100]!r}", connector=connector
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigurationError(
            "base_url must not carry credentials, a query or a fragment", connector=connector
        )
    private = is_private_host(parts.hostname)
    if private and not allow_private:
        raise ConfigurationError(
            f"base_url host {parts.hostname!r} is a loopback or private address",
            connector=connector,
            hint=PRIVATE_NETWORK_HINT,
        )
    if parts.scheme == "http" and not private:
        raise ConfigurationError(
            "base_url must use https (plain http is only accepted for local sandboxes)",
            connector=connector,
        )
    netloc = parts.hostname if port is None else f"{parts.hostname}:{port}"
    if ":" in parts.hostname:
        netloc = f"[{parts.hostname}]" + ("" if port is None else f":{port}")
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"
