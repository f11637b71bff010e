"""Personal data out of what is kept about a delivery.

`last_error` is stored, listed and shown to operators; the ATS's reasons in it may echo
what the candidate sent ("jane@example.com is already taken"). Every answer and file name
of the application, and anything shaped like an email address or a phone number, is
masked before the text is stored.
"""

from __future__ import annotations

import re

from embloy_ats.submission.model import Application

MASK = "[personal data]"
_EMAIL_LIKE = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
#: six digits or more, with the separators phone numbers are written with.
_NUMBER_LIKE = re.compile(r"\+?\d(?:[\d ()./-]{4,}\d)")
#: a value shorter than this is no identifier (and masking it would garble the text).
_SHORTEST = 3


def mask_personal(text: str, application: Application | None = None) -> str:
    values = application.personal_values() if application is not None else []
    for value in sorted({v.strip() for v in values if len(v.strip()) >= _SHORTEST}, key=len,
                        reverse=True):  # fmt: skip
        text = re.sub(re.escape(value), MASK, text, flags=re.IGNORECASE)
    text = _EMAIL_LIKE.sub(MASK, text)
    return _NUMBER_LIKE.sub(
        lambda match: MASK if sum(c.isdigit() for c in match.group()) >= 6 else match.group(),
        text,
    )
