"""Words ATS use for employment and workplace types, mapped onto the Job model's enums.

Shared by every connector so that "Full-time", "FULL_TIME" and "Vollzeit" mean the same
thing everywhere; a word we do not know maps to `other` (the original stays in `raw`).
"""

from __future__ import annotations

import re

from embloy_ats.model import EmploymentType, WorkplaceType

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
