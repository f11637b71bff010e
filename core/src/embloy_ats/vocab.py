"""Words ATS use for employment and workplace types, pay intervals and form fields, mapped
onto the Job model's enums.

Shared by every connector so that "Full-time", "FULL_TIME" and "Vollzeit" mean the same
thing everywhere; a word we do not know maps to `other` (the original stays in `raw`).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from embloy_ats.model import EmploymentType, PayInterval, WorkplaceType

_EMPLOYMENT = {
    EmploymentType.FULL_TIME: ("full time", "fulltime", "permanent", "regular", "vollzeit"),
    EmploymentType.PART_TIME: ("part time", "parttime", "teilzeit", "mini job", "minijob"),
    EmploymentType.CONTRACT: ("contract", "contractor", "freelance", "freelancer", "consultant"),
    EmploymentType.TEMPORARY: ("temporary", "temp", "seasonal", "fixed term", "befristet"),
    EmploymentType.INTERNSHIP: ("intern", "internship", "praktikum", "trainee", "apprentice",
                                "apprenticeship", "working student", "werkstudent"),
    EmploymentType.VOLUNTEER: ("volunteer", "voluntary"),
    EmploymentType.PER_DIEM: ("per diem", "perdiem", "on call"),
}  # fmt: skip
_WORDS = re.compile(r"[^a-z0-9]+")


def _key(value: str) -> str:
    return _WORDS.sub(" ", value.casefold()).strip()


_EMPLOYMENT_LOOKUP = {word: kind for kind, words in _EMPLOYMENT.items() for word in words}


def employment_type(value: str | None) -> EmploymentType | None:
    """None when the ATS says nothing; OTHER when it says something we do not know."""
    if value is None or not value.strip():
        return None
    key = _key(value)
    if key in _EMPLOYMENT_LOOKUP:
        return _EMPLOYMENT_LOOKUP[key]
    for word, kind in _EMPLOYMENT_LOOKUP.items():
        if re.search(rf"\b{re.escape(word)}\b", key):
            return kind
    return EmploymentType.OTHER


def workplace_type(value: str | None) -> WorkplaceType | None:
    """From an explicit type ("remote", "on-site", "hybrid") or a location text mentioning one."""
    if value is None:
        return None
    key = _key(value)
    if re.search(r"\bhybrid\b", key):
        return WorkplaceType.HYBRID
    if re.search(r"\b(remote|telecommute|anywhere|work from home|home office)\b", key):
        return WorkplaceType.REMOTE
    if re.search(r"\b(on ?site|onsite|in office|office based|in person)\b", key):
        return WorkplaceType.ON_SITE
    return None


_INTERVALS = {
    PayInterval.HOUR: ("hour", "hours", "hourly"),
    PayInterval.DAY: ("day", "days", "daily"),
    PayInterval.WEEK: ("week", "weeks", "weekly"),
    PayInterval.MONTH: ("month", "months", "monthly"),
    PayInterval.YEAR: ("year", "years", "yearly", "annual", "annually", "annum"),
    PayInterval.ONE_TIME: ("one time", "onetime", "once"),
}
_INTERVAL_LOOKUP = {word: interval for interval, words in _INTERVALS.items() for word in words}


def pay_interval(value: Any) -> PayInterval | None:
    """How often an amount is paid, from the words ATS use: `year`, `per-year-salary`,
    `1 YEAR`, `hourly`, `one_time`. None when unsaid or unknown, and when the amount is per
    several of them (`2 WEEK`): that is no interval the Job model has."""
    if not isinstance(value, str):
        return None
    words = _key(value).split()
    if any(word.isdigit() and word != "1" for word in words):
        return None
    for size in (2, 1):  # "one time" before "time"
        for start in range(len(words) - size + 1):
            found = _INTERVAL_LOOKUP.get(" ".join(words[start : start + size]))
            if found is not None:
                return found
    return None


Requirement = Literal["required", "optional", "off"]
_REQUIREMENTS: dict[str, Requirement] = {
    "required": "required",
    "optional": "optional",
    "off": "off",
}


def requirement(value: Any) -> Requirement | None:
    """Whether a form field is asked: `required`, `optional` or `off`, also when the ATS
    prefixes the field's name (`resume_required`); None when unsaid or unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    return _REQUIREMENTS.get(value.strip().casefold().rsplit("_", 1)[-1])
