"""HTML decoding, countries, currencies and the shared vocabulary."""

from __future__ import annotations

import pytest
from embloy_ats import EmploymentType, WorkplaceType, geo, vocab
from embloy_ats.html import decode_entities_once, html_to_text


def test_entities_are_decoded_exactly_once() -> None:
    assert decode_entities_once("&lt;p&gt;a &amp;amp; b&lt;/p&gt;") == "<p>a &amp; b</p>"
    assert decode_entities_once("&amp;lt;p&amp;gt;") == "&lt;p&gt;"


def test_text_skips_scripts() -> None:
    assert html_to_text("<p>a</p><script>x()</script><style>p{}</style>b") == "a\nb"


@pytest.mark.parametrize(
    ("raw", "city", "region", "country", "remote"),
    [
        ("San Francisco, CA", "San Francisco", "CA", "US", False),
        ("Berlin, Germany", "Berlin", None, "DE", False),
        ("Toronto, ON", "Toronto", "ON", "CA", False),
        ("Lisbon, Lisbon, Portugal", "Lisbon", "Lisbon", "PT", False),
        ("Remote (US)", None, None, "US", True),
        ("US Remote", None, None, "US", True),
        ("München", "München", None, None, False),
        ("São Paulo, Brazil", "São Paulo", None, "BR", False),
        ("", None, None, None, False),
    ],
)
def test_parse_location(
    raw: str, city: str | None, region: str | None, country: str | None, remote: bool
) -> None:
    assert geo.parse_location(raw) == (city, region, country, remote)


def test_split_locations() -> None:
    assert geo.split_locations("Austin | Chicago | New York City") == [
        "Austin", "Chicago", "New York City",
    ]  # fmt: skip
    assert geo.split_locations("Berlin or Remote") == ["Berlin", "Remote"]
    assert geo.split_locations("Oregon, US") == ["Oregon, US"]


@pytest.mark.parametrize(
    ("value", "code"),
    [("DE", "DE"), ("deu", "DE"), ("Germany", "DE"), ("USA", "US"), ("UK", "GB"), ("Narnia", None)],
)
def test_country_code(value: str, code: str | None) -> None:
    assert geo.country_code(value) == code


def test_currency_code() -> None:
    assert geo.currency_code("usd") == "USD"
    assert geo.currency_code("XYZ") is None
    assert geo.currency_code("$") is None


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("Full-time", EmploymentType.FULL_TIME),
        ("FULL_TIME", EmploymentType.FULL_TIME),
        ("Part Time", EmploymentType.PART_TIME),
        ("Contractor", EmploymentType.CONTRACT),
        ("Internship", EmploymentType.INTERNSHIP),
        ("Werkstudent", EmploymentType.INTERNSHIP),
        ("Zero hours", EmploymentType.OTHER),
        ("", None),
    ],
)
def test_employment_vocabulary(word: str, kind: EmploymentType | None) -> None:
    assert vocab.employment_type(word) == kind


def test_workplace_vocabulary() -> None:
    assert vocab.workplace_type("Remote (US)") is WorkplaceType.REMOTE
    assert vocab.workplace_type("Hybrid - Berlin") is WorkplaceType.HYBRID
    assert vocab.workplace_type("on-site") is WorkplaceType.ON_SITE
    assert vocab.workplace_type("Berlin") is None


def test_tolerant_readers_for_links_and_pay_ranges() -> None:
    from decimal import Decimal

    from embloy_ats import parsing

    assert parsing.http_url(" https://x.example/a ") == "https://x.example/a"
    for odd in ("javascript:alert(1)", "ftp://x", "https://x y", "", None, 7, "https://"):
        assert parsing.http_url(odd) is None
    assert parsing.amount_range(Decimal(9), Decimal(3)) == (Decimal(3), Decimal(9))
    assert parsing.amount_range(None, Decimal(3)) == (None, Decimal(3))
