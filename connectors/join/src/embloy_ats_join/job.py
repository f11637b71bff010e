"""JOIN public job (`GET /api/public/jobs/{id}`) and its company-list row -> Job fields.

Shapes from a recorded answer of each (see cassettes/join/PROVENANCE.md). The description
is Markdown; it becomes HTML here (raw HTML in it is escaped, then the model sanitises).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from embloy_ats.contract import (
    Compensation,
    JobStatus,
    Location,
    Question,
    QuestionCategory,
    QuestionType,
    Visibility,
    geo,
    parsing,
    vocab,
)
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})
# JOIN's job states: the public API answers online jobs only (archived ones are 404).
_STATUS = {"ONLINE": JobStatus.OPEN}
#: the documents JOIN's form asks for (`documentsConfig[].type`).
_DOCUMENTS = {"CV": ("cv", "CV"), "COVER_LETTER": ("cover_letter", "Cover letter")}
_SLUG = re.compile(r"[0-9]+-[a-z0-9]+(?:-[a-z0-9]+)*")
_DOMAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")


#: the most Markdown rendered, in characters. Rendering runs in the event loop and some input
#: costs ~10 us a character ('[' repeated: 32 KiB ~0.3 s, the 5 MiB body cap over a minute);
#: a recorded description is 2.7 KB and 32 KiB is some 5,000 words, more than any job ad.
MAX_MARKDOWN = 32 * 1024
#: what ends a cut description, so the reader sees it goes on.
CUT_MARK = "\n\n…\n"


def cut_markdown(text: str, limit: int = MAX_MARKDOWN) -> str:
    """`text` when it is at most `limit` characters; else its start, cut at the last paragraph
    break (else line break, else space) in the second half of the limit, ended by `CUT_MARK`;
    the result is never longer than `limit`."""
    if len(text) <= limit:
        return text
    room = limit - len(CUT_MARK)
    head = text[:room]
    for boundary in ("\n\n", "\n", " "):
        at = head.rfind(boundary)
        if at >= room // 2:
            head = head[:at]
            break
    return head.rstrip() + CUT_MARK


def description_html(markdown: Any) -> str:
    """The description rendered as HTML; one longer than `MAX_MARKDOWN` is cut first."""
    text = markdown if isinstance(markdown, str) else ""
    return _MARKDOWN.render(cut_markdown(text)) if text.strip() else ""


def posting_url(answer: dict[str, Any]) -> str | None:
    """`https://join.com/companies/{company.domain}/{idParam}`, when both look as they should."""
    domain = parsing.text(parsing.obj(answer.get("company")).get("domain"))
    slug = parsing.text(answer.get("idParam"))
    if domain is None or slug is None:
        return None
    if not (_DOMAIN.fullmatch(domain) and _SLUG.fullmatch(slug)):
        return None
    return f"https://join.com/companies/{domain}/{slug}"


def locations(row: dict[str, Any]) -> tuple[Location, ...]:
    """The row's `city` {cityName, regionName, countryCode} and `country` {iso3166, name}.
    `city.defaultZipCode` is the city's, not the job's: not a postal code of the job."""
    city = parsing.obj(row.get("city"))
    country = parsing.obj(row.get("country"))
    name = parsing.text(city.get("cityName"))
    region = parsing.text(city.get("regionName"))
    code = (
        geo.country_code(parsing.text(country.get("iso3166")))
        or geo.country_code(parsing.text(city.get("countryCode")))
        or geo.country_code(parsing.text(country.get("name")))
        or geo.country_code(parsing.text(city.get("countryName")))
    )
    if name is None and region is None and code is None:
        return ()
    country_name = parsing.text(country.get("name")) or parsing.text(city.get("countryName"))
    raw = ", ".join(part for part in (name, region, country_name) if part) or None
    return (Location(raw=raw, city=name, region=region, country_code=code),)


def _minor(value: Any) -> tuple[Decimal | None, Any]:
    """`{amount, currency}` with the amount in minor units (cents)."""
    money = parsing.obj(value)
    amount = parsing.decimal(money.get("amount"))
    return (amount / 100 if amount is not None else None), money.get("currency")


def compensation(answer: dict[str, Any], row: dict[str, Any]) -> tuple[Compensation, ...]:
    """`salaryAmountFrom`/`salaryAmountTo` of the row, per `salaryFrequency`; none when the
    employer hides the salary (`settings.showSalary: false`)."""
    shown = parsing.flag(parsing.obj(row.get("settings")).get("showSalary"))
    if shown is None:
        shown = parsing.flag(parsing.obj(answer.get("settings")).get("showSalary"))
    if shown is False:
        return ()
    low, low_currency = _minor(row.get("salaryAmountFrom"))
    high, high_currency = _minor(row.get("salaryAmountTo"))
    currencies = {geo.currency_code(parsing.text(c)) for c in (low_currency, high_currency)}
    currencies.discard(None)
    if len(currencies) > 1:
        return ()  # two currencies for one range: not a range we can state
    frequency = row.get("salaryFrequency") or answer.get("salaryFrequency")
    return parsing.salary(
        low,
        high,
        currency=next(iter(currencies), None),
        interval=vocab.pay_interval(parsing.text(frequency)),
    )


def questions(value: Any) -> tuple[Question, ...]:
    """`documentsConfig` [{type, constraint}]: a file question per document the form asks
    for; `REQUIRED` or `OPTIONAL` (a document the form does not ask for is skipped)."""
    found: dict[str, Question] = {}
    for item in parsing.objects(value):
        kind = parsing.text(item.get("type"))
        setting = vocab.requirement(parsing.text(item.get("constraint")))
        if kind is None or setting not in ("required", "optional"):
            continue
        question_id, label = _DOCUMENTS.get(kind.upper(), (kind.casefold()[:64], kind))
        found.setdefault(
            question_id,
            Question(
                id=question_id,
                label=label,
                type=QuestionType.FILE,
                required=setting == "required",
                category=QuestionCategory.STANDARD,
                source_type=kind,
            ),
        )
    return tuple(found.values())


def custom_fields(answer: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, value in (
        ("join_id", answer.get("id")),
        ("id_param", answer.get("idParam")),
        ("company_id", answer.get("companyId")),
        ("category", parsing.obj(row.get("category")).get("name")),
        ("employment_type_label", parsing.obj(row.get("employmentType")).get("name")),
        ("salary_frequency", answer.get("salaryFrequency")),
    ):
        text = parsing.text(value)
        if text is not None:
            fields[name] = text
    return fields


def job_fields(answer: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity and bookkeeping; `row` is empty when the list lacks the job."""
    company = parsing.obj(answer.get("company"))
    employment = parsing.text(parsing.obj(row.get("employmentType")).get("name"))
    workplace = parsing.text(answer.get("workplaceType")) or parsing.text(row.get("workplaceType"))
    return {
        "title": parsing.text(answer.get("title")),
        "company": parsing.text(company.get("name")),
        "language": parsing.text(parsing.obj(answer.get("language")).get("iso6391")),
        "description_html": description_html(answer.get("description")),
        "status": _STATUS.get(parsing.text(answer.get("status")) or "", JobStatus.UNKNOWN),
        "visibility": Visibility.PUBLIC,
        "employment_type": vocab.employment_type(employment),
        "workplace_type": vocab.workplace_type(workplace),
        "locations": locations(row),
        "compensation": compensation(answer, row),
        "posting_url": posting_url(answer),
        "posted_at": parsing.timestamp(answer.get("createdAt")),
        "updated_at": parsing.timestamp(answer.get("updatedAt")),
        "questions": questions(answer.get("documentsConfig")),
        "custom_fields": custom_fields(answer, row),
    }
