"""Workday `verify()`: one search for a single posting on the career site; never a job id."""

from __future__ import annotations

import json

import httpx
import pytest
from embloy_ats import ConfigurationError, PayloadError
from embloy_ats_workday import WorkdayConnector

from tests.conftest import FakeAts

ACME = {"host": "acme.wd1.myworkdayjobs.com", "tenant": "acme", "site": "Careers"}


async def test_verify_searches_the_career_site_for_one_posting() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"total": 0, "jobPostings": []}))
    checked = await WorkdayConnector(ACME, http=fake.client()).verify()
    assert "'acme'" in checked
    assert "'Careers'" in checked
    [request] = fake.requests
    assert request.method == "POST"
    assert str(request.url) == "https://acme.wd1.myworkdayjobs.com/wday/cxs/acme/Careers/jobs"
    assert json.loads(request.content) == {
        "appliedFacets": {}, "limit": 1, "offset": 0, "searchText": "",
    }  # fmt: skip
    assert "authorization" not in request.headers


async def test_verify_404_names_the_tenant_and_site() -> None:
    fake = FakeAts(lambda request: httpx.Response(404, content=b""))
    with pytest.raises(ConfigurationError) as caught:
        await WorkdayConnector(ACME, http=fake.client()).verify()
    assert "no career site 'Careers' for tenant 'acme'" in caught.value.message
    assert "myworkdayjobs.com" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("body", "complaint"),
    [({"jobPostings": "zq7 not a list"}, "jobPostings"), (["zq7"], "a search answer")],
)
async def test_verify_refuses_an_answer_that_is_no_search_result(
    body: object, complaint: str
) -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json=body))
    with pytest.raises(PayloadError, match=complaint) as caught:
        await WorkdayConnector(ACME, http=fake.client()).verify()
    assert "zq7" not in str(caught.value)
