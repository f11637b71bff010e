"""A refusal of Personio's that quotes what the candidate wrote is a refusal: the words
"already applied" in the candidate's own text are not Personio saying it has the application."""

from __future__ import annotations

import httpx
import pytest
from embloy_ats.applications import SubmitRejected

from tests.applications.test_personio_submits import _answers, application, connector, job_with

ECHOED = httpx.Response(
    400,
    json={
        "errors": [
            {
                "field": "message",
                "errors": [
                    {
                        "reason": "errors.too-long",
                        "context": {"value": "I already applied last year and would love to"},
                    }
                ],
            }
        ]
    },
)


async def test_a_refusal_quoting_the_candidates_already_applied_is_not_delivered() -> None:
    ats = _answers(httpx.Response(200, json={"uuid": "u-1"}), ECHOED)
    with pytest.raises(SubmitRejected):
        await connector(ats).submit_application(
            job_with(), application({"message": "I already applied last year and would love to"})
        )
