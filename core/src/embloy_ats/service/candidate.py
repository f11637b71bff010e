"""What the candidate's browser gets: the handle answer's shape, and plain words for failures.

A candidate never sees operator text (connector names, job ids, exception names, hints meant
for whoever runs the service): each kind of failure has its own plain words, a way back (the
partner's `cancel_url` when a verified token carried one) and the request id, which the log
line with the operator detail carries too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from embloy_ats.public import PublicJob


class Session(BaseModel):
    """The verified request token's facts, and where the job came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: str
    job_slug: str
    success_url: str | None
    cancel_url: str | None
    #: when the request token expires, in seconds since the epoch.
    expires_at: int
    #: `store` or `upstream`: whether the job was already held or fetched for this request.
    source: str
    #: the ATS is not answering and this is the last copy held.
    stale: bool


class HandleAnswer(BaseModel):
    """The answer of `POST /api/v0/sdk/request/handle`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    session: Session
    job: PublicJob


@dataclass(frozen=True)
class Words:
    title: str
    text: str
    #: whether the same link may work a little later (the page offers "Try again").
    retry: bool


_TRY_LATER = Words(
    "The employer's system is not answering right now",
    "This is usually over within a few minutes. Please try again shortly.",
    retry=True,
)
_NOT_FOUND = Words(
    "We could not find this job", "The employer may have removed the posting.", retry=False
)
_OUR_SIDE = Words(
    "Something went wrong on our side", "Please try again in a few minutes.", retry=True
)
EXPIRED = Words(
    "This link has expired",
    "Links to apply are valid for a short while only. Go back to the job posting and choose "
    "Apply with Embloy again.",
    retry=False,
)
_UNREADABLE = Words(
    "We could not read your application",
    "Go back to the application form and send it again.",
    retry=False,
)
_WORDS: dict[str, Words] = {
    "invalid_token": Words(
        "This link does not work",
        "It may be incomplete or changed. Go back to the job posting and choose Apply with "
        "Embloy again.",
        retry=False,
    ),
    "job_gone": Words(
        "This job is no longer open",
        "The employer has closed this posting, so it takes no more applications.",
        retry=False,
    ),
    "job_not_found": _NOT_FOUND,
    "invalid_job_slug": _NOT_FOUND,
    "rate_limited": _TRY_LATER,
    "upstream_unavailable": _TRY_LATER,
    "upstream_timeout": _TRY_LATER,
    "upstream_error": Words(
        "We could not load this job",
        "Something went wrong between us and the employer's system. Please try again later.",
        retry=True,
    ),
    "not_connected": Words(
        "This application is not available right now", "Please try again later.", retry=True
    ),
    "service_unavailable": Words(
        "This page is not available right now",
        "We are having a short technical problem. Please try again in a minute.",
        retry=True,
    ),
    "submission_unsupported": Words(
        "This job does not take applications through Embloy yet",
        "Please apply on the employer's own site instead.",
        retry=False,
    ),
    "body_too_large": Words(
        "The files you attached are too large",
        "Go back, attach smaller files (the form says how large each may be) and send the "
        "application again.",
        retry=False,
    ),
    "unreadable_form": _UNREADABLE,
    "unsupported_media_type": _UNREADABLE,
    "too_many_parts": _UNREADABLE,
    "invalid_idempotency_key": _UNREADABLE,
    "applications_unavailable": Words(
        "Applications cannot be sent right now", "Please try again later.", retry=True
    ),
    "idempotency_key_reused": Words(
        "This application was already sent",
        "It was sent earlier with other answers, and we kept that one. To apply again, go "
        "back to the job posting and choose Apply with Embloy again.",
        retry=False,
    ),
}

#: When no verified token names the way back (the link is broken, or the partner gave none).
NO_WAY_BACK = (
    "Use your browser's back button to return to the job posting, then choose Apply with "
    "Embloy again."
)


def words_for(code: str) -> Words:
    """The plain words for an error code; anything unforeseen is our side's fault."""
    return _WORDS.get(code, _OUR_SIDE)


class CandidateFailure(Exception):
    """A failure as the candidate sees it; the operator detail has been logged already."""

    def __init__(
        self,
        status: int,
        code: str,
        words: Words,
        request_id: str,
        *,
        cancel_url: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status, self.code, self.words, self.request_id = status, code, words, request_id
        self.cancel_url = cancel_url
        self.headers = headers or {}

    def as_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "message": f"{self.words.title}. {self.words.text}",
            "request_id": self.request_id,
        }
        if self.cancel_url is not None:
            error["cancel_url"] = self.cancel_url
        return {"error": error}
