"""Safe XML: one record of a feed, decoded once, with hostile documents refused."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import pytest
from embloy_ats import PayloadError
from embloy_ats.safexml import find_record, is_html, to_json
from hypothesis import given
from hypothesis import strategies as st


def by_id(wanted: str) -> object:
    return lambda record: record.findtext("id") == wanted


def find(body: bytes, wanted: str, **kwargs: object) -> object:
    return find_record(body, root="feed", record="item", match=by_id(wanted), **kwargs)  # type: ignore[arg-type]


FEED = (
    b"<?xml version='1.0' encoding='UTF-8'?><feed>"
    b"<item><id>1</id><v><![CDATA[a &amp; <b>b</b>]]></v></item>"
    b"<item><id>2</id><v>&amp;lt;x&amp;gt;</v><tags><t>p</t></tags><r>1</r><r>2</r></item>"
    b"</feed>"
)


def test_the_matching_record_as_json_with_cdata_and_entities_decoded_once() -> None:
    assert find(FEED, "1") == {"id": "1", "v": "a &amp; <b>b</b>"}
    assert find(FEED, "2") == {"id": "2", "v": "&lt;x&gt;", "tags": {"t": "p"}, "r": ["1", "2"]}
    assert find(FEED, "3") is None


def test_a_container_named_in_lists_is_always_a_list() -> None:
    assert find(FEED, "2", lists=("tags",)) == {
        "id": "2", "v": "&lt;x&gt;", "tags": ["p"], "r": ["1", "2"],
    }  # fmt: skip


def test_records_already_read_are_dropped() -> None:
    seen: list[Element] = []

    def keep(record: Element) -> bool:
        seen.append(record)
        return False

    find_record(FEED, root="feed", record="item", match=keep)
    assert [len(list(record)) for record in seen] == [0, 0], "cleared once read"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'<!DOCTYPE f [<!ENTITY a "x">]><feed/>', "DTD"),
        (b'<!DOCTYPE f SYSTEM "http://127.0.0.1/f.dtd"><feed/>', "DTD"),
        (b"<feed><item><id>1</id>", "does not parse"),
        (b"<other/>", "root is not <feed>"),
        (b"<feed>" + b"<x>" * 40 + b"</x>" * 40 + b"</feed>", "nested deeper"),
        (b"", "does not parse"),
    ],
)
def test_hostile_and_broken_documents_are_payload_errors(body: bytes, says: str) -> None:
    with pytest.raises(PayloadError, match=says):
        find(body, "1")


def test_html_is_recognised() -> None:
    assert is_html(b"\n <!-- x --><!DOCTYPE html><html>")
    assert is_html(b"<HTML lang=de>")
    assert not is_html(b"<?xml version='1.0'?><feed/>")


def test_to_json_reads_text_of_a_leaf() -> None:
    element = Element("a")
    assert to_json(element) == ""


@given(st.binary(max_size=200))
def test_any_bytes_give_a_record_none_or_a_payload_error(body: bytes) -> None:
    try:
        found = find(body, "1")
    except PayloadError:
        return
    assert found is None or isinstance(found, dict | str | list)
