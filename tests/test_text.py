"""HTML decoding, countries, currencies and the shared vocabulary."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from embloy_ats import (
    Compensation,
    CompensationKind,
    EmploymentType,
    PayInterval,
    PayloadError,
    QuestionCategory,
    QuestionType,
    WorkplaceType,
    geo,
    parsing,
    vocab,
)
from embloy_ats.html import (
    _BLOCK_TAGS,
    decode_entities_once,
    html_to_text,
    sanitize_html,
    tidy_text,
)
from hypothesis import given
from hypothesis import strategies as st


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


@pytest.mark.parametrize(
    ("words", "interval"),
    [
        # Recruitee `salary.period`, Teamtailor `salary-time-unit`, Lever `interval`, Ashby
        ("year", PayInterval.YEAR), ("month", PayInterval.MONTH), ("hour", PayInterval.HOUR),
        ("per hour", PayInterval.HOUR), ("Yearly", PayInterval.YEAR),
        ("annually", PayInterval.YEAR), ("one_time", PayInterval.ONE_TIME),
        ("once", PayInterval.ONE_TIME), ("per-year-salary", PayInterval.YEAR),
        ("per-day-wage", PayInterval.DAY), ("one-time", PayInterval.ONE_TIME),
        ("1 YEAR", PayInterval.YEAR), ("1 WEEK", PayInterval.WEEK), ("NONE", None),
        ("2 WEEK", None), ("fortnightly", None), ("", None), (None, None), (12, None),
    ],
)  # fmt: skip
def test_pay_interval_vocabulary(words: object, interval: PayInterval | None) -> None:
    assert vocab.pay_interval(words) is interval


def test_requirement_vocabulary() -> None:
    assert [vocab.requirement(v) for v in ("required", " Optional ", "off", "resume_required")] == [
        "required", "optional", "off", "required",
    ]  # fmt: skip
    for odd in ("mandatory", "", None, 1, "required_maybe"):
        assert vocab.requirement(odd) is None


def test_salary_reads_an_ats_pay_range() -> None:
    (pay,) = parsing.salary("90,000", 60000, currency="eur", interval=PayInterval.YEAR, raw=" x ")
    assert pay == Compensation(
        kind=CompensationKind.SALARY, min_amount=Decimal(60000), max_amount=Decimal(90000),
        currency="EUR", interval=PayInterval.YEAR, raw="x",
    )  # fmt: skip
    (open_ended,) = parsing.salary(None, "50", currency="Euro-ish")
    assert (open_ended.min_amount, open_ended.max_amount, open_ended.currency) == (
        None, Decimal(50), None,
    )  # fmt: skip
    assert parsing.salary(None, "n/a", currency="EUR") == ()
    assert parsing.salary(-5, True) == ()


def test_standard_questions_are_the_fields_a_job_switches_on() -> None:
    fields = (
        ("cv", "cv", "CV", QuestionType.FILE),
        ("phone", "phone", "Phone", QuestionType.PHONE),
        ("photo", "photo", "Photo", QuestionType.FILE),
        ("letter", "letter", "Letter", QuestionType.LONG_TEXT),
    )
    found = parsing.standard_questions(fields, {"cv": "required", "phone": "optional",
                                                "photo": "off", "letter": 7})  # fmt: skip
    assert [(q.id, q.required, q.category, q.source_type) for q in found] == [
        ("cv", True, QuestionCategory.STANDARD, "cv"),
        ("phone", False, QuestionCategory.STANDARD, "phone"),
    ]


def test_require_id_refuses_another_job_without_quoting_it() -> None:
    assert parsing.require_id({"id": 7}, "id", "7") == "7"
    assert parsing.require_id({"id": "ABC"}, "id", "abc", casefold=True) == "ABC"
    with pytest.raises(PayloadError, match="answered another offer when asked for this one") as e:
        parsing.require_id({"slug": "secret-ish-slug"}, "slug", "mine", what="offer")
    assert "secret-ish" not in str(e.value)
    with pytest.raises(PayloadError, match="answered an offer without 'id'"):
        parsing.require_id({"id": " "}, "id", "1", what="offer")


class _Reference(HTMLParser):
    """The text a standard HTML parser reads: the reference for `html_to_text`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append("\n- " if tag == "li" else "\n" if tag in _BLOCK_TAGS else "")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append("\n" if tag in _BLOCK_TAGS else "")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _reference_text(fragment: str) -> str:
    parser = _Reference()
    parser.feed(sanitize_html(fragment))
    parser.close()
    return tidy_text("".join(parser.parts))


_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<li>", "</li>", "<ul>", "</ul>", "<br>", "<br/>", "<b>", "</b>",
        '<a href="https://x.example/?a=1&amp;b=<2>" title="a>b">', "</a>", "<div class=x>",
        "</div>", "<h2>", "</h2>", "<table><tr><td>", "</td></tr></table>", "<section>",
        "<script>x = '<p>'</script>", "<style>p {}</style>", "<!-- <p> -->", "<img src=x>",
        "<P>", "</LI>", "text", "two words", "&amp;", "&lt;p&gt;", "&nbsp;", "&#233;", "é",
        " ", "\n", "\t", "<", ">", "&", "a < b", "<unknown>", "</",
    ]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=30).map("".join))
def test_text_is_what_an_html_parser_reads(fragment: str) -> None:
    """One regex pass over sanitised HTML reads the same text as Python's HTMLParser."""
    assert html_to_text(fragment) == _reference_text(fragment)
    assert html_to_text(sanitize_html(fragment), clean=True) == html_to_text(fragment)


def test_text_of_a_list_and_breaks() -> None:
    fragment = "<p>Do:</p><ul><li>one &amp; two</li><li>three</li></ul>a<br/>b<p>&lt;end&gt;</p>"
    assert html_to_text(fragment) == "Do:\n\n- one & two\n\n- three\n\na\nb\n<end>"


@pytest.mark.parametrize(
    ("text", "tidy"),
    [
        ("", ""),
        ("\n \n", ""),
        ("  a \t\u00a0 b  ", "a b"),
        ("\n\na\n\n\n\n b\n\n", "a\n\nb"),
        ("a\nb\n\nc", "a\nb\n\nc"),
        ("a\u2003\u2003b\r\n\u2003\nc", "a b\n\nc"),
    ],
)
def test_tidy_text(text: str, tidy: str) -> None:
    assert tidy_text(text) == tidy
