"""Payload bytes for every way into every connector: a Job that survives the store, or a
typed error.

The connector tests feed well-formed JSON of odd shapes. These feed what a broken ATS or
proxy sends: the recorded answer cut short, bytes flipped, numbers the JSON parser turns
into NaN, infinity or overlong integers, lone surrogates, nesting past the recursion
limit, a BOM, an empty body. Whatever comes out must be a `Job` that the resolver can
store and read back (`model_dump_json` -> `model_validate_json`) and export, or an
`EmbloyAtsError`.
"""

from __future__ import annotations

import functools
import re

import pytest
from embloy_ats import EmbloyAtsError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.ways import WAYS, Scripted, Way, check_storable, client, recorded_body

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_NUMBER = re.compile(rb"(?<=[:\[,]) ?-?[0-9][0-9.eE+-]*")
_STRING = re.compile(rb'(?<=: )"(?:[^"\\]|\\.)*"')
ODD_NUMBERS = [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-0", b"9" * 5000, b"1.5e-400"]
ODD_STRINGS = [
    b'"\\ud800"', b'"\\udfff x"', b'"' + b"x" * 100_000 + b'"', b'"<script>alert(1)</script>"',
    b'"javascript:alert(1)"', b'"\\u0000"', b'""', b'"   "', b"null", b"[]", b"{}", b"true",
]  # fmt: skip


@functools.cache
def mutations(original: bytes) -> st.SearchStrategy[bytes]:
    """Built once per recorded body: building it scans the body and copies it into the
    wrapped variants, and Hypothesis validates each new strategy."""
    size = len(original)
    cut = st.integers(0, size).map(lambda n: original[:n])
    flipped = st.tuples(st.integers(0, max(0, size - 1)), st.binary(min_size=1, max_size=4)).map(
        lambda p: original[: p[0]] + p[1] + original[p[0] + len(p[1]) :]
    )
    numbers = [m.span() for m in _NUMBER.finditer(original)]
    strings = [m.span() for m in _STRING.finditer(original)]

    def swap(spans: list[tuple[int, int]], values: list[bytes]) -> st.SearchStrategy[bytes]:
        if not spans:
            return st.just(original)
        return st.tuples(st.sampled_from(spans), st.sampled_from(values)).map(
            lambda p: original[: p[0][0]] + p[1] + original[p[0][1] :]
        )

    wrapped = st.sampled_from(
        [
            b"\xef\xbb\xbf" + original,
            b"[" * 50_000 + original + b"]" * 50_000,
            b"[" + original + b"]",
            b"",
            b"null",
            b'"' + original[:100].replace(b'"', b"'") + b'"',
            original + b"\x00garbage",
            original.replace(b"{", b"[", 1),
        ]
    )
    return st.one_of(cut, flipped, swap(numbers, ODD_NUMBERS), swap(strings, ODD_STRINGS), wrapped)


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
@FUZZ
@given(data=st.data())
async def test_any_payload_gives_a_storable_job_or_a_typed_error(
    way: Way, data: st.DataObject
) -> None:
    body = data.draw(mutations(recorded_body(way)), label="body")
    connector = way.connector(client(Scripted(way, body)))
    try:
        job = await connector.fetch_job(way.job_id)
    except EmbloyAtsError:
        return
    check_storable(job)


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.name)
async def test_the_recorded_payload_itself_gives_a_storable_job(way: Way) -> None:
    connector = way.connector(client(Scripted(way, recorded_body(way))))
    check_storable(await connector.fetch_job(way.job_id))
