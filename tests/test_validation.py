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
