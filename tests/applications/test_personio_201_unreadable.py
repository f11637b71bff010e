"""Personio's documented success is `201`: one that comes with a body that is not JSON (a
proxy's or a gateway's text) may have made the applicant, so it is never a refusal."""

from __future__ import annotations

import httpx
from embloy_ats import EmbloyAtsError
from embloy_ats.applications import Receipt, SubmitRejected

from tests.applications.test_personio_submits import _answers, application, connector, job_with


async def test_a_201_with_a_body_that_is_not_json_is_not_refused() -> None:
    ats = _answers(httpx.Response(200, json={"uuid": "u-1"}), httpx.Response(201, text="Created"))
    outcome: Receipt | EmbloyAtsError
    try:
        outcome = await connector(ats).submit_application(job_with(), application({}))
    except EmbloyAtsError as exc:
        outcome = exc
    assert not isinstance(outcome, SubmitRejected), "a 201 made the applicant: not refused"
