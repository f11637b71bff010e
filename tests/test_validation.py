"""Untrusted ids, subdomains and hosts are refused before any request is built."""

from __future__ import annotations

import re

import pytest
from embloy_ats import ConfigurationError, InvalidJobId
from embloy_ats.validation import (
    NUMERIC_ID,
    UUID_ID,
    PathSegment,
    Subdomain,
    build_path,
    check_base_url,
    check_job_id,
    host_form_problem,
    is_private_address,
    is_private_host,
)
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

ATTACKS = [
    "../1", "1/../2", "%2F", "1%2F2", "1?x=1", "1#frag", " 1", "1 ", "1\n", "1\t2", "1\x00",
    "\uff11\uff12\uff13", "1;2", "", "0", "-1", "1" * 300,
]  # fmt: skip


@pytest.mark.parametrize("job_id", ATTACKS)
def test_malicious_numeric_ids_are_refused(job_id: str) -> None:
    with pytest.raises(InvalidJobId) as caught:
        check_job_id(job_id, NUMERIC_ID, connector="greenhouse")
    assert caught.value.connector == "greenhouse"


def test_non_string_ids_are_refused() -> None:
    with pytest.raises(InvalidJobId):
        check_job_id(123, NUMERIC_ID, connector="x")


@given(st.text(max_size=60))
def test_any_accepted_id_fills_exactly_one_segment(job_id: str) -> None:
    try:
        accepted = check_job_id(job_id, UUID_ID, connector="x")
    except InvalidJobId:
        return
    path = build_path("/v1/postings/{job_id}", job_id=accepted)
    assert path == f"/v1/postings/{job_id}"


@given(st.from_regex(NUMERIC_ID, fullmatch=True))
def test_valid_numeric_ids_build_the_templated_path(job_id: str) -> None:
    assert build_path("/jobs/{job_id}", job_id=check_job_id(job_id, NUMERIC_ID, connector="x")) == (
        f"/jobs/{job_id}"
    )


@given(st.text(min_size=1, max_size=40))
def test_build_path_never_adds_a_segment(value: str) -> None:
    try:
        path = build_path("/a/{v}/b", v=value)
    except ConfigurationError:
        return
    assert path.startswith("/a/")
    assert path.endswith("/b")
    assert path.count("/") == 3
    assert not re.search(r"[?#\s]", path)


class Tenant(BaseModel):
    subdomain: Subdomain
    board: PathSegment = "ok"


@pytest.mark.parametrize(
    "value", ["acme.evil.com", "-acme", "acme-", "ac me", "acme/x", "a" * 64, "ácme", "", "acme%2e"]
)
def test_subdomains_are_single_dns_labels(value: str) -> None:
    with pytest.raises(ValidationError):
        Tenant(subdomain=value)


def test_subdomain_is_lower_cased() -> None:
    assert Tenant(subdomain="Acme-01").subdomain == "acme-01"


@pytest.mark.parametrize("value", ["../x", "a/b", "a?b", "a b", "", ".hidden"])
def test_path_segment_settings(value: str) -> None:
    with pytest.raises(ValidationError):
        Tenant(subdomain="acme", board=value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "https://localhost",
        "https://10.0.0.5",
        "https://[::1]:9000",
        "https://169.254.169.254",
        "https://192.168.1.1",
        "https://foo.localhost",
        "https://[::ffff:127.0.0.1]",
        "https://[::ffff:7f00:1]",
        "https://[::127.0.0.1]",  # IPv4-compatible (deprecated)
        "https://[::7f00:1]",
        "https://[::ffff:0:127.0.0.1]",  # IPv4-translated
        "https://[::ffff:127.0.0.1%25eth0]",
        "https://[2002:7f00:1::1]",  # 6to4 of 127.0.0.1
        "https://[2002:a9fe:a9fe::]",  # 6to4 of 169.254.169.254
        "https://[64:ff9b::10.0.0.1]",  # NAT64 of 10.0.0.1
        "https://[64:ff9b::c0a8:101]",  # NAT64 of 192.168.1.1
        "https://[64:ff9b:1::808:808]",  # NAT64 local-use prefix
        "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]",  # Teredo, client 10.0.0.1
        "https://127.0.0.1.",
    ],
)
def test_private_base_urls_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(ConfigurationError, match="EMBLOY_ATS_ALLOW_PRIVATE_NETWORK"):
        check_base_url(url, connector="x", allow_private=False)
    assert check_base_url(url, connector="x", allow_private=True).startswith(url.split(":")[0])


@pytest.mark.parametrize(
    "url",
    [
        "ftp://api.example.com",
        "https://user:pw@api.example.com",
        "https://api.example.com/?a=1",
        "https://api.example.com/#x",
        "http://api.example.com",
        "api.example.com",
        "https://api.example.com:99999",
    ],
)
def test_malformed_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        check_base_url(url, connector="x", allow_private=False)


def test_base_url_is_normalised() -> None:
    assert check_base_url("https://API.example.com/v1/", connector="x", allow_private=False) == (
        "https://api.example.com/v1"
    )


#: IPv4 addresses spelled as the C library and browsers read them, but not in the one
#: notation every parser agrees on; each is refused even where private hosts are allowed.
AMBIGUOUS_HOSTS = [
    "2130706433",  # 127.0.0.1 as one decimal number
    "017700000001",  # ... in octal
    "0x7f000001",  # ... in hex
    "0177.0.0.1",  # dotted octal
    "0x7f.0.0.1",  # dotted hex
    "0x7f.1",  # shortened, hex
    "127.1",  # shortened: 127.0.0.1
    "10.1",  # 10.0.0.1
    "192.168.257",  # 192.168.1.1
    "127.0.0.01",
    "010.0.0.1",  # 8.0.0.1 to the C library, 10.0.0.1 to others
    "0",  # 0.0.0.0
    "134744072",  # 8.8.8.8: public, still not in the agreed notation
    "1.2.3.4.5",
    "example.0x1",
    "127\u30020\u30020\u30021",  # ideographic full stops: 127.0.0.1 after IDNA mapping
    "\uff11\uff12\uff17.0.0.1",  # full-width digits
    "127%2e0.0.1",  # a percent-escape some parsers decode
    "exa mple.com",
]


@pytest.mark.parametrize("host", AMBIGUOUS_HOSTS)
def test_ambiguous_hosts_are_refused_even_when_private_ones_are_allowed(host: str) -> None:
    assert host_form_problem(host) is not None
    assert is_private_host(host), "an ambiguous host is never public"
    for allow_private in (False, True):
        for scheme in ("http", "https"):
            with pytest.raises(ConfigurationError, match=re.escape(repr(host))):
                check_base_url(f"{scheme}://{host}", connector="x", allow_private=allow_private)


def test_a_non_standard_ipv4_form_says_how_to_write_it() -> None:
    with pytest.raises(ConfigurationError, match="write it as four decimal numbers"):
        check_base_url("https://0x7f.1", connector="x", allow_private=True)


@pytest.mark.parametrize(
    "host",
    [
        "api.example.com", "api.example.com.", "xn--bcher-kva.example", "my_service.example",
        "8.8.8.8", "[2606:4700::1111]", "[::ffff:8.8.8.8]", "[2002:808:808::1]",
        "[64:ff9b::808:808]", "[64:ff9b::8.8.8.8]",
    ],
)  # fmt: skip
def test_public_names_and_addresses_pass(host: str) -> None:
    assert host_form_problem(host) is None
    assert not is_private_host(host)
    assert check_base_url(f"https://{host}/v1", connector="x", allow_private=False).endswith("/v1")


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True), ("::1", True), ("::", True), ("::ffff:7f00:1", True),
        ("::7f00:1", True), ("::808:808", True), ("::ffff:0:a00:1", True),
        ("2002:c0a8:101::1", True), ("64:ff9b::a9fe:a9fe", True), ("64:ff9b:1::808:808", True),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True), ("fe80::1%eth0", True),
        ("100.64.0.1", True), ("224.0.0.1", True), ("not an address", True), ("", True),
        ("8.8.8.8", False), ("::ffff:808:808", False), ("2002:808:808::1", False),
        ("64:ff9b::808:808", False), ("2606:4700::1111", False),
    ],
)  # fmt: skip
def test_resolved_addresses_are_public_only_when_provably_so(address: str, private: bool) -> None:
    """What the engine's resolver checks on every address a name resolves to."""
    assert is_private_address(address) is private
