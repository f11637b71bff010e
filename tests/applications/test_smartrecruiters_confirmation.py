"""SmartRecruiters answers a created candidate with "a confirmation" whose exact shape no
recorded exchange shows: a 2xx naming the candidate's id with a confirming `message` made
the candidate, and is never failed as refused (a final state the candidate is told)."""

from __future__ import annotations

import httpx
from embloy_ats import EmbloyAtsError
from embloy_ats.applications import Receipt
from embloy_ats_smartrecruiters import SmartrecruitersConnector

from tests.applications.fake_smartrecruiters import SR_COMPANY, SR_KEY, SR_UUID
from tests.applications.test_smartrecruiters_submits import _application, _job
from tests.conftest import FakeAts


async def test_a_201_with_the_id_and_a_confirming_message_is_delivered() -> None:
    confirmation = {"id": "c-1", "message": "Application submitted successfully"}
    ats = FakeAts(lambda request: httpx.Response(201, json=confirmation))
    connector = SmartrecruitersConnector(
        {"company_identifier": SR_COMPANY}, {"api_key": SR_KEY}, http=ats.client()
    )
    outcome: Receipt | EmbloyAtsError
    try:
        outcome = await connector.submit_application(_job(uuid=SR_UUID), _application())
    except EmbloyAtsError as exc:
        outcome = exc
    assert isinstance(outcome, Receipt), outcome
    assert outcome.ats_candidate_id == "c-1"
