"""Ashby's public Posting API (`GET /posting-api/job-board/{board}?includeCompensation=true`).

The board answers every published job at once (`{"apiVersion": "1", "jobs": [...]}`); the
connector picks the posting by id and maps it here. Shapes from Ashby's "Job Postings API"
docs and recorded boards; see cassettes/ashby/PROVENANCE.md.
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    JobStatus,
    parsing,
    vocab,
)

from embloy_ats_ashby import common


def find_posting(board: dict[str, Any], job_id: str) -> dict[str, Any] | None:
    """The board's job whose `id` is `job_id` (UUIDs compare case-insensitively)."""
    wanted = job_id.casefold()
    for job in parsing.objects(board.get("jobs")):
        found = parsing.text(job.get("id"))
        if found is not None and found.casefold() == wanted:
            return job
    return None


def job_fields(posting: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity and bookkeeping, which the connector adds."""
    locations = [common.location(posting.get("location"), posting.get("address"))]
    locations += [
        common.location(item.get("location"), item.get("address"))
        for item in parsing.objects(posting.get("secondaryLocations"))
    ]
    return {
        "title": parsing.text(posting.get("title")),
        "description_html": parsing.text(posting.get("descriptionHtml")) or "",
        "description_text": parsing.text(posting.get("descriptionPlain")) or "",
        # The board serves only what is published right now.
        "status": JobStatus.OPEN,
        "visibility": common.visibility(posting),
        "employment_type": vocab.employment_type(parsing.text(posting.get("employmentType"))),
        "workplace_type": common.workplace(posting),
        "locations": common.unique(locations),
        "department": parsing.text(posting.get("department")),
        "team": parsing.text(posting.get("team")),
        "compensation": common.compensation(posting.get("compensation"), flags=posting),
        "posting_url": parsing.http_url(posting.get("jobUrl")),
        "apply_url": parsing.http_url(posting.get("applyUrl")),
        "posted_at": parsing.timestamp(posting.get("publishedAt")),
        "updated_at": parsing.timestamp(posting.get("updatedAt")),
    }
