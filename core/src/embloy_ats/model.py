"""The common language: one `Job` model every connector produces and every consumer reads.

Field names are a contract (other tools read the JSON). The model is immutable and
validates itself: HTML is sanitised here, whatever a connector passes in, so no Job can
carry a script; codes are checked against ISO tables; datetimes must carry a timezone.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

from embloy_ats.geo import currency_code, is_country_code
from embloy_ats.html import html_to_text, sanitize_html
from embloy_ats.validation import is_http_url

SCHEMA_VERSION = 1

#: How deep `Job.raw` and `Job.custom_fields` keep an ATS's JSON, counted from each value
#: they hold. pydantic writes at most 255 levels of JSON and reads back at most 200: a
#: Job deeper than that would fail to be stored, or be stored and fail every later read.
KEPT_JSON_DEPTH = 64
#: How much of it they keep, per field: every string and key counts its length in
#: characters, every other value (number, boolean, null, array, object) counts 8.
KEPT_JSON_SIZE = 1_000_000
#: What takes the place of an array or object nested deeper than `KEPT_JSON_DEPTH`.
PRUNED_DEEPER = f"[pruned: nested deeper than {KEPT_JSON_DEPTH} levels]"
#: What takes the place of a value that would take its field over `KEPT_JSON_SIZE`.
PRUNED_LARGER = f"[pruned: over the size kept, {KEPT_JSON_SIZE:,} characters]"
_CONTAINERS = (dict, list, tuple)
_OTHER_SIZE = 8


def kept_json(values: Any) -> Any:
    """`values` (a mapping of JSON values) as `raw` and `custom_fields` keep it: a value
    that would take the total over `KEPT_JSON_SIZE` becomes `PRUNED_LARGER` (the values
    before it are kept), and arrays and objects nested deeper than `KEPT_JSON_DEPTH`
    become `PRUNED_DEEPER`. What is kept is kept again, unchanged, when the Job is read
    back."""
    if not isinstance(values, dict):
        return values  # not a mapping: the field's own validation refuses it
    kept: dict[Any, Any] = {}
    size = 0
    for key, value in values.items():
        budget = KEPT_JSON_SIZE - size - _size_of_key(key)
        depth, value_size = _measure(value, budget)
        if depth > KEPT_JSON_DEPTH and value_size <= budget:
            value = _pruned(value, KEPT_JSON_DEPTH)
            depth, value_size = _measure(value, budget)
        if value_size > budget:
            value, value_size = PRUNED_LARGER, len(PRUNED_LARGER)
        kept[key] = value
        size += _size_of_key(key) + value_size
    return kept


def _size_of_key(key: Any) -> int:
    return len(key) if isinstance(key, str) else _OTHER_SIZE


def _measure(value: Any, budget: int) -> tuple[int, int]:
    """(levels of arrays and objects, size) of a JSON value, walked without recursion. It
    stops once the size is over `budget`, so a value that refers to itself ends there."""
    if isinstance(value, str):
        return 0, len(value)
    if not isinstance(value, _CONTAINERS):
        return 0, _OTHER_SIZE
    deepest, size = 0, 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending and size <= budget:
        node, depth = pending.pop()
        size += _OTHER_SIZE
        if depth > deepest:
            deepest = depth
        if isinstance(node, dict):
            for key in node:
                size += len(key) if type(key) is str else _size_of_key(key)
            node = node.values()
        for item in node:
            # `type() is` first: this runs for every value of every payload fetched.
            kind = type(item)
            if kind is str:
                size += len(item)
            elif kind is dict or kind is list:
                pending.append((item, depth + 1))
            elif kind is int or kind is float or kind is bool or item is None:
                size += _OTHER_SIZE
            elif isinstance(item, str):
                size += len(item)
            elif isinstance(item, _CONTAINERS):
                pending.append((item, depth + 1))
            else:
                size += _OTHER_SIZE
    return deepest, size


def _pruned(value: Any, levels: int) -> Any:
    """`value` with every array or object below `levels` levels replaced by the marker."""
    if not isinstance(value, _CONTAINERS):
        return value
    if levels == 0:
        return PRUNED_DEEPER
    if isinstance(value, dict):
        return {key: _pruned(item, levels - 1) for key, item in value.items()}
    return [_pruned(item, levels - 1) for item in value]


class _Choice(StrEnum):
    """An enum that turns values it does not know into its fallback member."""

    @classmethod
    def parse(cls, value: object) -> Self:
        """Map an ATS's spelling onto a member; unknown spellings fall back, never fail."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().casefold().replace("-", "_").replace(" ", "_")
            try:
                return cls(key)
            except ValueError:
                pass
        return cls._fallback()

    @classmethod
    def _fallback(cls) -> Self:
        return cls("unknown")


class JobStatus(_Choice):
    OPEN = "open"
    CLOSED = "closed"
    DRAFT = "draft"
    ARCHIVED = "archived"
    UNKNOWN = "unknown"


class Visibility(_Choice):
    PUBLIC = "public"
    INTERNAL = "internal"
    UNLISTED = "unlisted"
    CONFIDENTIAL = "confidential"
    UNKNOWN = "unknown"


class EmploymentType(_Choice):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACT = "contract"
    TEMPORARY = "temporary"
    INTERNSHIP = "internship"
    VOLUNTEER = "volunteer"
    PER_DIEM = "per_diem"
    OTHER = "other"

    @classmethod
    def _fallback(cls) -> EmploymentType:
        return cls.OTHER


class WorkplaceType(StrEnum):
    ON_SITE = "on_site"
    HYBRID = "hybrid"
    REMOTE = "remote"


class CompensationKind(_Choice):
    SALARY = "salary"
    BONUS = "bonus"
    EQUITY = "equity"
    COMMISSION = "commission"
    OTHER = "other"

    @classmethod
    def _fallback(cls) -> CompensationKind:
        return cls.OTHER


class PayInterval(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    ONE_TIME = "one_time"


class QuestionType(_Choice):
    YES_NO = "yes_no"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    EMAIL = "email"
    PHONE = "phone"
    LINK = "link"
    DATE = "date"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    FILE = "file"
    LOCATION = "location"
    UNKNOWN = "unknown"


class QuestionCategory(StrEnum):
    STANDARD = "standard"
    CUSTOM = "custom"
    EEO = "eeo"
    DEMOGRAPHIC = "demographic"


# Values come from the ATS: a refused one is never quoted, in our messages or pydantic's.
_FROZEN = ConfigDict(
    frozen=True, extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True
)


def http_url(value: str | None) -> str | None:
    """Only http(s) links survive: a `javascript:` apply URL would run in Embloy's page."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if not is_http_url(text):
        raise ValueError("not an http(s) URL")
    return text


class Location(BaseModel):
    model_config = _FROZEN

    raw: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country_code: str | None = Field(default=None, description="ISO 3166-1 alpha-2")

    @field_validator("country_code")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        if value is not None and not is_country_code(value):
            raise ValueError("not an ISO 3166-1 alpha-2 country code")
        return value


class Compensation(BaseModel):
    model_config = _FROZEN

    kind: CompensationKind = CompensationKind.SALARY
    min_amount: Decimal | None = Field(default=None, ge=0)
    max_amount: Decimal | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, description="ISO 4217")
    interval: PayInterval | None = None
    raw: str | None = None

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str | None) -> str | None:
        if value is not None and currency_code(value) != value:
            raise ValueError("not an ISO 4217 currency code")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if (
            self.min_amount is not None
            and self.max_amount is not None
            and self.min_amount > self.max_amount
        ):
            raise ValueError("min_amount is greater than max_amount")
        return self


class QuestionOption(BaseModel):
    model_config = _FROZEN

    id: str
    label: str


class Question(BaseModel):
    model_config = _FROZEN

    id: str = Field(min_length=1)
    label: str
    description: str | None = None
    type: QuestionType
    required: bool = False
    options: tuple[QuestionOption, ...] = ()
    accepted_file_types: tuple[str, ...] = ()
    category: QuestionCategory = QuestionCategory.CUSTOM
    #: the ATS's own name for the type, kept when it maps to `unknown` or loses detail.
    source_type: str | None = None


class Job(BaseModel):
    """A job posting as Embloy needs it, whatever ATS it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    schema_version: int = SCHEMA_VERSION
    connector: str = Field(min_length=1)
    external_id: str = Field(min_length=1)
    slug: str = ""
    title: str = Field(min_length=1)
    company: str | None = None
    requisition_code: str | None = None
    language: str | None = None

    description_html: str = ""
    description_text: str = ""

    status: JobStatus = JobStatus.UNKNOWN
    visibility: Visibility = Visibility.UNKNOWN
    employment_type: EmploymentType | None = None
    workplace_type: WorkplaceType | None = None

    locations: tuple[Location, ...] = ()
    applicant_location_requirements: tuple[str, ...] = ()
    department: str | None = None
    team: str | None = None
    compensation: tuple[Compensation, ...] = ()

    posting_url: str | None = None
    apply_url: str | None = None
    posted_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None

    questions: tuple[Question, ...] = ()
    custom_fields: dict[str, JsonValue] = Field(default_factory=dict)
    #: what the ATS answered, by request path: `json.loads` output, set by `Connector.new_job`.
    #: Typed `Any`, not `JsonValue`: walking a whole payload was a fifth of building a Job,
    #: and pydantic serialises `Any` 4x faster than a skipped `JsonValue` (8 vs 39 µs).
    #: Bounded in depth and size by `kept_json`, as `custom_fields` is.
    raw: dict[str, Any] = Field(default_factory=dict)
    fetched_at: AwareDatetime

    @field_validator("raw", "custom_fields", mode="before")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        return kept_json(value)

    @field_validator("title", "company", "requisition_code", "department", "team", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("description_html")
    @classmethod
    def _sanitise(cls, value: str) -> str:
        return sanitize_html(value)

    @field_validator("posting_url", "apply_url")
    @classmethod
    def _urls(cls, value: str | None) -> str | None:
        return http_url(value)

    @field_validator("applicant_location_requirements")
    @classmethod
    def _countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not is_country_code(code):
                raise ValueError("not an ISO 3166-1 alpha-2 country code")
        return tuple(dict.fromkeys(value))

    @model_validator(mode="after")
    def _derived(self) -> Self:
        expected = f"{self.connector}__{self.external_id}"
        if not self.slug:
            object.__setattr__(self, "slug", expected)
        elif self.slug != expected:
            raise ValueError("slug must be '<connector>__<external_id>'")
        if not self.description_text and self.description_html:
            text = html_to_text(self.description_html, clean=True)  # sanitised by _sanitise
            object.__setattr__(self, "description_text", text)
        ids = [question.id for question in self.questions]
        if len(ids) != len(set(ids)):
            raise ValueError("question ids must be unique within a job")
        return self
