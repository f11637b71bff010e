"""Ids and subdomains: a valid one builds exactly the templated request, an invalid one
never reaches the network (a recording transport proves it), for every way into every
connector."""

from __future__ import annotations

import json

import httpx
import pytest
from embloy_ats import ConfigurationError, EmbloyAtsError, InvalidJobId, Registry
from embloy_ats.validation import PATH_SEGMENT, SUBDOMAIN
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


def valid_ids(way: Way) -> st.SearchStrategy[str]:
    pattern = REGISTRY.get(way.mode).connector.job_id_pattern
    return st.from_regex(pattern, fullmatch=True).filter(
        lambda text: text.isascii() and len(text) <= 256 and pattern.fullmatch(text) is not None
    )


def is_valid(way: Way, job_id: str) -> bool:
    pattern = REGISTRY.get(way.mode).connector.job_id_pattern
    return job_id.isascii() and 0 < len(job_id) <= 256 and pattern.fullmatch(job_id) is not None


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
@FUZZ
@given(data=st.data())
async def test_a_valid_id_builds_exactly_the_templated_request(
    way: Way, data: st.DataObject
) -> None:
    job_id = data.draw(valid_ids(way), label="job_id")
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
    spliced = st.tuples(valid_ids(way), NASTY, st.integers(min_value=0, max_value=300)).map(
        lambda parts: parts[0][: parts[2]] + parts[1] + parts[0][parts[2] :]
    )
    job_id = data.draw(st.text(max_size=80) | spliced | st.text(min_size=257), label="job_id")
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
