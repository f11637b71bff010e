"""What Personio's answers mean when they are not its documented ones: a 2xx whose body is
not JSON is never a refusal (a 201 is delivered, an upload without a readable uuid is tried
again), and only Personio's own error markers, on the statuses it answers them with, say
that it already has the application."""

from __future__ import annotations

import httpx
import pytest
from embloy_ats.applications import Receipt, SubmitAmbiguous, SubmitRejected, SubmitRetryable

from tests.applications.test_personio_submits import (
    CV,
    _answers,
    application,
    connector,
    job_with,
)

UPLOADED = httpx.Response(200, json={"uuid": "u-1"})
EXISTS = "errors.applicant-already-exists"


def _refusal(reason: str, context: object = None) -> dict[str, object]:
    inner: dict[str, object] = {"reason": reason}
    if context is not None:
        inner["context"] = context
    return {"errors": [{"field": "email", "errors": [inner]}]}


async def test_a_201_html_page_is_delivered() -> None:
    ats = _answers(UPLOADED, httpx.Response(201, html="<html><body>Created</body></html>"))
    assert isinstance(await connector(ats).submit_application(job_with(), application({})), Receipt)


async def test_a_200_html_page_is_ambiguous_not_refused() -> None:
    ats = _answers(UPLOADED, httpx.Response(200, html="<html><body>OK</body></html>"))
    with pytest.raises(SubmitAmbiguous):
        await connector(ats).submit_application(job_with(), application({}))


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(200, text="OK"), httpx.Response(201, html="<html><body>ok</body></html>")],
)
async def test_an_upload_answered_without_json_is_retried_and_sends_no_application(
    answer: httpx.Response,
) -> None:
    ats = _answers(answer, httpx.Response(201))
    with pytest.raises(SubmitRetryable):
        await connector(ats).submit_application(job_with(), application({}, CV))
    assert not any(r.url.path == "/v1/recruiting/applications" for r in ats.requests)


async def test_an_email_quoted_in_the_context_is_not_personio_saying_it_exists() -> None:
    body = _refusal("errors.invalid-email", {"value": "applicant-already-exists@example.org"})
    ats = _answers(UPLOADED, httpx.Response(400, json=body))
    with pytest.raises(SubmitRejected):
        await connector(ats).submit_application(job_with(), application({}))


async def test_a_message_that_quotes_the_candidate_is_not_the_deprecated_answer() -> None:
    body = {"success": False, "error": {"message": "invalid message: I already applied before"}}
    ats = _answers(UPLOADED, httpx.Response(400, json=body))
    with pytest.raises(SubmitRejected):
        await connector(ats).submit_application(job_with(), application({}))


async def test_personio_s_marker_on_another_status_is_not_delivered() -> None:
    ats = _answers(UPLOADED, httpx.Response(422, json=_refusal(EXISTS)))
    with pytest.raises(SubmitRejected):
        await connector(ats).submit_application(job_with(), application({}))


@pytest.mark.parametrize("status", [400, 409])
async def test_personio_s_marker_on_its_statuses_is_delivered(status: int) -> None:
    ats = _answers(UPLOADED, httpx.Response(status, json=_refusal(EXISTS)))
    assert isinstance(await connector(ats).submit_application(job_with(), application({})), Receipt)
