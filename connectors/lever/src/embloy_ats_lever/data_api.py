"""Lever authenticated API posting (`GET /v1/postings/{id}`, its `data` object) -> Job fields.

Field meanings from Lever's API documentation (hire.lever.co/developer/documentation) and
help centre; shapes from recorded answers, see cassettes/lever/PROVENANCE.md.
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    JobStatus,
    Visibility,
    parsing,
)

from embloy_ats_lever import posting as common

# Lever's posting states. `pending` awaits approval and `rejected` was refused approval:
# neither is live, both can still be edited, so they read as drafts.
_STATUS = {
    "published": JobStatus.OPEN,
    "internal": JobStatus.OPEN,
    "closed": JobStatus.CLOSED,
    "draft": JobStatus.DRAFT,
    "pending": JobStatus.DRAFT,
    "rejected": JobStatus.DRAFT,
}


def status(state: Any) -> JobStatus:
    return _STATUS.get((parsing.text(state) or "").casefold(), JobStatus.UNKNOWN)


def visibility(state: Any, distribution: Any, confidentiality: Any) -> Visibility:
    """Who can see the posting.

    A `confidential` posting is confidential whatever its state. A `published` posting
    appears on the job sites named in `distributionChannels` (`public`, `internal`; null
    means the public site). An `internal` posting is on no job site but open to anyone with
    its link, which is what Lever itself now calls "unlisted".
    """
    if (parsing.text(confidentiality) or "").casefold() == "confidential":
        return Visibility.CONFIDENTIAL
    key = (parsing.text(state) or "").casefold()
    if key == "published":
        channels = {channel.casefold() for channel in parsing.texts(distribution)}
        if channels and "public" not in channels and "internal" in channels:
            return Visibility.INTERNAL
        return Visibility.PUBLIC
    if key == "internal":
        return Visibility.UNLISTED
    return Visibility.UNKNOWN


def job_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity, questions and bookkeeping, which the connector adds."""
    content = parsing.obj(payload.get("content"))
    urls = parsing.obj(payload.get("urls"))
    codes = parsing.texts(payload.get("requisitionCodes"))
    return {
        **common.shared_fields(payload),
        "requisition_code": parsing.text(payload.get("reqCode")) or (codes[0] if codes else None),
        "description_html": common.join_html(
            common.first_html(content.get("descriptionHtml"), content.get("description")),
            common.lists_html(content.get("lists")),
            common.as_html(payload.get("salaryDescription")),
            common.first_html(content.get("closingHtml"), content.get("closing")),
        ),
        "status": status(payload.get("state")),
        "visibility": visibility(
            payload.get("state"),
            payload.get("distributionChannels"),
            payload.get("confidentiality"),
        ),
        "posting_url": parsing.http_url(urls.get("show") or payload.get("hostedUrl")),
        "apply_url": parsing.http_url(urls.get("apply") or payload.get("applyUrl")),
    }
