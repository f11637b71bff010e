"""Lever public Postings API posting (`GET /v0/postings/{site}/{id}?mode=json`) -> Job fields.

Field meanings from Lever's Postings API documentation (github.com/lever/postings-api); shapes
from recorded answers, see cassettes/lever/PROVENANCE.md.
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    JobStatus,
    Visibility,
    parsing,
)

from embloy_ats_lever import posting as common


def job_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity and bookkeeping, which the connector adds.

    The Postings API serves only postings in the `published` state, so every answer is an
    open, public job. It does not expose the application questions.
    """
    # `description` combines `opening` and `descriptionBody`; each has a plain-text twin,
    # read when the HTML is missing (some answers carry only the plain fields).
    description = common.first_html(
        payload.get("description"), payload.get("descriptionPlain")
    ) or common.join_html(
        common.first_html(payload.get("opening"), payload.get("openingPlain")),
        common.first_html(payload.get("descriptionBody"), payload.get("descriptionBodyPlain")),
    )
    return {
        **common.shared_fields(payload),
        "description_html": common.join_html(
            description,
            common.lists_html(payload.get("lists")),
            common.first_html(
                payload.get("salaryDescription"), payload.get("salaryDescriptionPlain")
            ),
            common.first_html(payload.get("additional"), payload.get("additionalPlain")),
        ),
        "status": JobStatus.OPEN,
        "visibility": Visibility.PUBLIC,
        "posting_url": parsing.http_url(payload.get("hostedUrl")),
        "apply_url": parsing.http_url(payload.get("applyUrl")),
    }
