"""Ids and subdomains: a valid one builds exactly the templated request, an invalid one
never reaches the network (a recording transport proves it), for every way into every
connector. Hosts: no spelling of a private address gets past the host guard."""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import socket
from urllib.parse import urlsplit

import httpx
import pytest
import yarl
from embloy_ats import ConfigurationError, EmbloyAtsError, InvalidJobId, Registry
from embloy_ats.validation import (
    PATH_SEGMENT,
    SUBDOMAIN,
    check_base_url,
    is_private_address,
    is_private_host,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.fuzz.ways import WAYS, Scripted, Way, client

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REGISTRY = Registry.discover()
#: what an attacker would slip into an id to change the request.
NASTY = st.sampled_from(
    ["/", "..", "%2F", "%2f", "?", "#", "&", "=", " ", "\t", "\n", "\r", "\x00", "\\", "@",
     ":", ";", ",", "%", "+", "~", ".", "\u00e9", "\u0661", "\u200b", "\ufeff", "\uff21", "{", "}"]
)  # fmt: skip


def pattern_of(way: Way) -> str:
    return REGISTRY.get(way.mode).connector.job_id_pattern.pattern


@functools.cache
def valid_ids(mode: str) -> st.SearchStrategy[str]:
    """Built once per connector: Hypothesis validates a strategy, and parses the regex of
    `from_regex`, each time one is built, which cost more than the draws themselves."""
    pattern = REGISTRY.get(mode).connector.job_id_pattern
    return st.from_regex(pattern, fullmatch=True).filter(
        lambda text: text.isascii() and len(text) <= 256 and pattern.fullmatch(text) is not None
    )


@functools.cache
def invalid_ids(mode: str) -> st.SearchStrategy[str]:
    """Any text, or a valid id with something nasty spliced in (most are then invalid)."""
    spliced = st.tuples(valid_ids(mode), NASTY, st.integers(min_value=0, max_value=300)).map(
        lambda parts: parts[0][: parts[2]] + parts[1] + parts[0][parts[2] :]
    )
    return st.text(max_size=80) | spliced | st.text(min_size=257)


def is_valid(way: Way, job_id: str) -> bool:
    pattern = REGISTRY.get(way.mode).connector.job_id_pattern
    return job_id.isascii() and 0 < len(job_id) <= 256 and pattern.fullmatch(job_id) is not None


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
@FUZZ
@given(data=st.data())
async def test_a_valid_id_builds_exactly_the_templated_request(
    way: Way, data: st.DataObject
) -> None:
    job_id = data.draw(valid_ids(way.mode), label="job_id")
    transport = Scripted(way, b'{"not": "a job"}')  # the first answer is refused, no matter
    connector = way.connector(client(transport))
    with pytest.raises(EmbloyAtsError):
        await connector.fetch_job(job_id)
    first = transport.requests[0]
    assert first.method == way.method
    expected = httpx.URL(way.url_for(job_id))
    assert (first.url.scheme, first.url.host, first.url.port) == (
        expected.scheme, expected.host, expected.port,
    )  # fmt: skip
    assert first.url.raw_path.split(b"?")[0] == expected.raw_path
    if way.body is not None:
        assert json.loads(first.content) == way.body(job_id)


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
@FUZZ
@given(data=st.data())
async def test_an_invalid_id_never_reaches_the_network(way: Way, data: st.DataObject) -> None:
    job_id = data.draw(invalid_ids(way.mode), label="job_id")
    assume(not is_valid(way, job_id))
    transport = Scripted(way)
    connector = way.connector(client(transport))
    with pytest.raises(InvalidJobId):
        await connector.fetch_job(job_id)
    assert transport.requests == []


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
async def test_non_string_ids_never_reach_the_network(way: Way) -> None:
    transport = Scripted(way)
    connector = way.connector(client(transport))
    for job_id in (None, 7, 7.0, b"7", ["7"], {"id": "7"}):
        with pytest.raises(InvalidJobId):
            await connector.fetch_job(job_id)  # type: ignore[arg-type]
    assert transport.requests == []


# -- subdomains and path segments in settings ------------------------------------------------

SUBDOMAIN_SETTINGS = [
    ("workable", "subdomain", {"access_token": "t"}, "https://{}.workable.com"),
    ("recruitee", "company", {}, "https://{}.recruitee.com"),
]
SEGMENT_SETTINGS = [
    ("greenhouse", "board_token", {}, {}),
    ("lever", "site", {}, {}),
    ("ashby", "job_board_name", {}, {}),
    ("recruitee", "company_id", {"company": "acme"}, {"api_token": "t"}),
]


@pytest.mark.parametrize(("mode", "name", "credentials", "origin"), SUBDOMAIN_SETTINGS)
@FUZZ
@given(value=st.from_regex(SUBDOMAIN, fullmatch=True))
def test_a_valid_subdomain_becomes_exactly_the_host(
    mode: str, name: str, credentials: dict[str, str], origin: str, value: str
) -> None:
    assume(value.isascii())
    cls = REGISTRY.get(mode).connector
    for spelling in (value, value.upper()):
        connector = cls({name: spelling}, credentials)
        assert connector.base_url == origin.format(value.lower())


@pytest.mark.parametrize(("mode", "name", "credentials", "origin"), SUBDOMAIN_SETTINGS)
@FUZZ
@given(value=st.text(max_size=70))
def test_an_invalid_subdomain_is_refused_before_any_request(
    mode: str, name: str, credentials: dict[str, str], origin: str, value: str
) -> None:
    assume(not (value.isascii() and SUBDOMAIN.fullmatch(value.lower())))
    cls = REGISTRY.get(mode).connector
    with pytest.raises(ConfigurationError):
        cls({name: value}, credentials)


@pytest.mark.parametrize(("mode", "name", "settings_", "credentials"), SEGMENT_SETTINGS)
@FUZZ
@given(value=st.text(max_size=140) | st.from_regex(PATH_SEGMENT, fullmatch=True))
def test_a_path_segment_setting_is_one_segment_or_refused(
    mode: str, name: str, settings_: dict[str, str], credentials: dict[str, str], value: str
) -> None:
    cls = REGISTRY.get(mode).connector
    if value.isascii() and PATH_SEGMENT.fullmatch(value):
        connector = cls(settings_ | {name: value}, credentials)
        assert getattr(connector.settings, name) == value
    else:
        with pytest.raises(ConfigurationError):
            cls(settings_ | {name: value}, credentials)


# -- hosts in base_url: one private address, every way to spell it ---------------------------

#: Networks no ATS API lives in: loopback, private, shared, link-local, benchmarking,
#: multicast and reserved space.
PRIVATE_V4 = st.sampled_from(
    ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
     "172.16.0.0/12", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4"]
).flatmap(lambda network: st.ip_addresses(network=network))  # fmt: skip
ANY_V4 = st.builds(ipaddress.IPv4Address, st.integers(min_value=0, max_value=(1 << 32) - 1))
#: How many bits each part holds when an IPv4 address is written in 1 to 4 parts (inet_aton).
_PART_BITS = {1: (32,), 2: (8, 24), 3: (8, 8, 16), 4: (8, 8, 8, 8)}


def _spell_number(value: int, base: str) -> str:
    return {"dec": str(value), "oct": f"0{value:o}", "hex": f"0x{value:x}", "HEX": f"0X{value:X}"}[
        base
    ]


@st.composite
def ipv4_spellings(draw: st.DrawFn, address: ipaddress.IPv4Address) -> str:
    """The address as the C library's inet_aton reads it: 1 to 4 parts, each decimal,
    octal or hex (four decimal parts being the standard notation)."""
    value, shift, parts = int(address), 32, []
    for bits in _PART_BITS[draw(st.integers(min_value=1, max_value=4))]:
        shift -= bits
        number = (value >> shift) & ((1 << bits) - 1)
        parts.append(_spell_number(number, draw(st.sampled_from(["dec", "oct", "hex", "HEX"]))))
    return ".".join(parts)


@st.composite
def ipv6_carrying(draw: st.DrawFn, address: ipaddress.IPv4Address) -> str:
    """An IPv6 address whose traffic goes to the IPv4 address, in any standard notation."""
    v4 = int(address)
    low80 = draw(st.integers(min_value=0, max_value=(1 << 80) - 1))
    server = draw(st.integers(min_value=0, max_value=(1 << 32) - 1))
    value = draw(
        st.sampled_from(
            [
                0xFFFF << 32 | v4,  # IPv4-mapped
                v4,  # IPv4-compatible
                0xFFFF << 48 | v4,  # IPv4-translated
                0x64FF9B << 96 | v4,  # NAT64, well-known prefix
                0x2002 << 112 | v4 << 80 | low80,  # 6to4
                0x20010000 << 96 | server << 64 | (v4 ^ 0xFFFFFFFF),  # Teredo client
            ]
        )
    )
    ip = ipaddress.IPv6Address(value)
    dotted_tail = (
        ":".join(ip.exploded.split(":")[:6]) + f":{ipaddress.IPv4Address(value & 0xFFFFFFFF)}"
    )
    text: str = draw(
        st.sampled_from([ip.compressed, ip.exploded, ip.compressed.upper(), dotted_tail])
    )
    return text


@FUZZ
@given(address=PRIVATE_V4, data=st.data())
def test_every_spelling_of_a_private_ipv4_address_is_refused(
    address: ipaddress.IPv4Address, data: st.DataObject
) -> None:
    spelled = data.draw(ipv4_spellings(address), label="spelled")
    assert socket.inet_aton(spelled) == address.packed  # what the C library connects to
    host = spelled + data.draw(st.sampled_from(["", "."]), label="trailing")
    assert is_private_host(host)
    with pytest.raises(ConfigurationError):
        check_base_url(f"https://{host}", connector="x", allow_private=False)


@FUZZ
@given(address=PRIVATE_V4, data=st.data())
def test_every_ipv6_form_carrying_a_private_ipv4_address_is_refused(
    address: ipaddress.IPv4Address, data: st.DataObject
) -> None:
    spelled = data.draw(ipv6_carrying(address), label="spelled")
    assert is_private_address(spelled)  # the engine's resolver, on a resolved address
    assert is_private_host(spelled)  # the engine, on the request's host
    with pytest.raises(ConfigurationError, match="loopback or private"):
        check_base_url(f"https://[{spelled}]", connector="x", allow_private=False)


def _readings(url: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address some parser on the way could read the URL's host as."""
    hosts: list[str | None] = [urlsplit(url).hostname]
    with contextlib.suppress(httpx.InvalidURL):
        hosts.append(httpx.URL(url).host)
    with contextlib.suppress(ValueError):
        hosts.append(yarl.URL(url).host)
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for host in (text.strip("[]").split("%", 1)[0] for text in hosts if text):
        with contextlib.suppress(ValueError):
            found.append(ipaddress.ip_address(host))
        with contextlib.suppress(OSError, ValueError):
            found.append(ipaddress.IPv4Address(socket.inet_aton(host)))
    return found


#: Characters that make hosts numbers, addresses, escapes or IDNA-mapped look-alikes.
HOST_ALPHABET = "0123456789abcdefxX.:%[]-_ \u3002\uff0e\uff11\uff17"


@FUZZ
@given(
    host=st.text(alphabet=HOST_ALPHABET, max_size=40)
    | st.ip_addresses().map(lambda ip: f"[{ip}]" if ip.version == 6 else str(ip))
    | ANY_V4.flatmap(ipv4_spellings)
    | ANY_V4.flatmap(ipv6_carrying).map(lambda text: f"[{text}]")
)
def test_an_accepted_host_is_public_to_every_parser(host: str) -> None:
    """Whatever the C library, httpx or yarl make of an accepted host, it is public, and
    httpx connects to exactly the host that was checked."""
    url = f"https://{host}/v1"
    try:
        checked = check_base_url(url, connector="x", allow_private=False)
    except ConfigurationError:
        return
    readings = _readings(checked) + _readings(url)
    assert not any(is_private_address(str(address)) for address in readings), readings
    assert httpx.URL(checked).host == urlsplit(checked).hostname
