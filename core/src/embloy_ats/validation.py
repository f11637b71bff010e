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
from collections.abc import Iterable
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


#: IPv4-compatible IPv6 (`::a.b.c.d`, deprecated by RFC 4291) and NAT64's local-use prefix
#: (RFC 8215): never a public destination, whatever they carry.
_NEVER_PUBLIC_V6 = (
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
)
#: Prefixes whose last 32 bits are an IPv4 address the traffic ends up at: NAT64's
#: well-known prefix (RFC 6052) and IPv4-translated addresses (RFC 2765).
_LAST_32_BITS_V4 = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
)
#: The last label of a name that some parser reads as an IPv4 number: decimal, or 0x-hex.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
#: A DNS name in ASCII: labels of letters, digits, '-' and '_' (service names use it).
_DNS_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_DNS_NAME = re.compile(rf"(?=.{{1,253}}\Z){_DNS_LABEL}(?:\.{_DNS_LABEL})*")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address hands its traffic to (6to4, NAT64, Teredo...)."""
    found = [ip.sixtofour, *(ip.teredo or ())]
    if any(ip in network for network in _LAST_32_BITS_V4):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [inner for inner in found if inner is not None]


def _is_private_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _NEVER_PUBLIC_V6):
            return True
        if ip.ipv4_mapped is not None:  # the connection goes to the IPv4 address itself
            return _is_private_ip(ip.ipv4_mapped)
        if any(_is_private_ip(inner) for inner in _embedded_ipv4(ip)):
            return True
    return not ip.is_global or ip.is_multicast


def is_private_address(address: str) -> bool:
    """Not provably a public internet address.

    Loopback, private, link-local, unspecified, reserved or multicast; an IPv6 address that
    carries such an IPv4 address (IPv4-mapped or -compatible, NAT64, 6to4, Teredo); and
    anything that is not an IP address at all.
    """
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return True
    return _is_private_ip(ip)


def _bare_host(host: str) -> str:
    """Lower case, without IPv6 brackets or the one trailing dot of a fully qualified name."""
    return host.strip("[]").removesuffix(".").lower()


def host_form_problem(host: str) -> str | None:
    """Why a host is spelled in a way parsers disagree on; None for a plain name or address.

    Only a DNS name in ASCII or an IP address in its standard notation is unambiguous. An
    IPv4 address written as one number (`2130706433`), in octal (`0177.0.0.1`), in hex
    (`0x7f.1`) or shortened (`127.1`) is read as 127.0.0.1 by the C library and by
    browsers but as a name, another address or an error by other parsers; a non-ASCII name
    may become an address after IDNA mapping (`127。0。0。1`); a percent-escape may be
    decoded on the way. None of them can be checked once and trusted to mean the same later.
    """
    name = _bare_host(host)
    if ":" in name:  # only an IPv6 literal has a colon in its host
        try:
            ipaddress.IPv6Address(name.split("%", 1)[0])
        except ValueError:
            return "is not a valid IPv6 address"
        return None
    if not name.isascii():
        return "is not ASCII (write an international domain name in its xn-- form)"
    if _NUMERIC_LABEL.fullmatch(name.rsplit(".", 1)[-1]):
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            return (
                "is an IPv4 address in a non-standard form (decimal, octal, hex or shortened); "
                "write it as four decimal numbers, e.g. 192.0.2.1"
            )
        return None
    if not _DNS_NAME.fullmatch(name):
        return "is not a valid host name"
    return None


def is_private_host(host: str) -> bool:
    """Not provably a public host: a local name, a private address, or an ambiguous form.

    Fails closed: a host spelled so that parsers disagree on it (see `host_form_problem`)
    is never public, whatever it would turn out to mean.
    """
    if host_form_problem(host) is not None:
        return True
    name = _bare_host(host)
    if name == "localhost" or name.endswith((".localhost", ".local")):
        return True
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False  # a DNS name: the engine's resolver checks what it resolves to
    return is_private_address(name)


def refuse_private_host(host: str) -> None:
    """ConfigurationError for a host a request must not be sent to (see `is_private_host`):
    the check both network pools beneath the HTTP core make before they connect."""
    if is_private_host(host):
        raise ConfigurationError(
            f"refusing to connect to private host {host!r}", hint=PRIVATE_NETWORK_HINT
        )


def refuse_private_answer(host: str, addresses: Iterable[str]) -> None:
    """ConfigurationError unless `host` resolved, and to public addresses only: what both
    network pools check of a DNS answer before they connect to exactly those addresses (so
    an answer that changes between the check and the connect cannot slip through)."""
    found = list(addresses)
    if not found or any(is_private_address(address) for address in found):
        raise ConfigurationError(
            f"refusing to connect to {host!r}: it resolves privately", hint=PRIVATE_NETWORK_HINT
        )


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
    problem = host_form_problem(parts.hostname)
    if problem is not None:
        raise ConfigurationError(
            f"base_url host {parts.hostname[:100]!r} {problem}", connector=connector
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
