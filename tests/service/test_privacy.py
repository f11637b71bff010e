"""Nothing the employer did not publish reaches a candidate: the handle answer and the apply
page carry the public view of a Job, never the ATS's raw answer or its internal fields."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from embloy_ats.crypto import KeyRing
from embloy_ats.http import HttpClient
from embloy_ats.model import Job
from embloy_ats.public import WITHHELD, PublicJob, PublicQuestion
from embloy_ats.replay import replay_transport
from embloy_ats.resolver import Resolver
from embloy_ats.service.app import create_app
from embloy_ats.service.candidate import HandleAnswer
from embloy_ats.service.tokens import TokenService
from embloy_ats.store import store_for
from embloy_ats.store.base import ClientToken

from tests.conftest import CASSETTES, ROOT
from tests.service.conftest import SECRET

HANDLE_PATH = "/api/v0/sdk/request/handle"
HARVEST = {"client_id": "harvest-test-client", "client_secret": "harvest-test-secret"}

#: In the recorded Harvest answers, never published to a candidate. Each is a literal value
#: from cassettes/greenhouse/harvest_found_123.yaml or harvest_found_5678.yaml.
SENTINELS = {
    "job notes": "Resistance to electro-magnetic radiation a plus!",
    "custom field name": "Maximum Budget",
    "custom field value (a budget)": "81.5k",
    "custom field: an internal salary range": "90000",
    "custom field with no value": "Hiring notes",
    "requisition id": "abc123",
    "internal content of a public post": "Apply today!",
    "a hidden question": "Referral source",
    "an inactive demographic question": "Retired question",
    "demographic option flags": "decline_to_answer",
    "the confidential flag": "confidential",
    "the job's workflow status": "draft",
    "the internal job name": "Backend Engineer Payments (internal)",
    "an office's contact person": "150893",
    "a department's external id": "12345",
    "pay input ordering": "priority",
    "Greenhouse's own question types": "single_select",
    "the ATS's request paths": "/v3/",
    "the job's last internal edit": "2024-12-02",
}


@dataclass
class Harvest:
    client: httpx.AsyncClient
    tokens: TokenService
    resolver: Resolver
    tenant_id: str
    issuer: ClientToken

    def token(self, job_id: str) -> str:
        return self.tokens.issue_request_token(
            self.issuer, "greenhouse", job_id, cancel_url="https://partner.example/back"
        )


@pytest.fixture
async def harvest(tmp_path: Path) -> AsyncIterator[Harvest]:
    """The service over Greenhouse Harvest v3, answered from the recorded v3 answers."""
    cassettes = [CASSETTES / "greenhouse" / f"harvest_found_{i}.yaml" for i in (123, 5678)]
    resolver = Resolver(
        store_for(f"sqlite:///{tmp_path}/privacy.db"),
        keys=KeyRing([KeyRing.generate()]),
        http=HttpClient(transport=replay_transport(cassettes)),
    )
    await resolver.open()
    tokens = TokenService(SECRET, resolver.store)
    tenant = await resolver.create_tenant("acme")
    await resolver.set_connection("acme", "greenhouse", {}, HARVEST)
    issuer = await tokens.verify_client_token((await tokens.issue_client_token(tenant.id))[0])
    transport = httpx.ASGITransport(app=create_app(resolver, tokens, owns_resolver=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://embloy.test") as client:
        yield Harvest(client, tokens, resolver, tenant.id, issuer)
    await resolver.close()


def leaks(text: str) -> list[str]:
    return [name for name, value in SENTINELS.items() if value in text]


@pytest.mark.parametrize("job_id", ["123", "5678"])
async def test_the_handle_answer_carries_only_what_the_employer_published(
    harvest: Harvest, job_id: str
) -> None:
    response = await harvest.client.post(
        HANDLE_PATH, headers={"request_token": harvest.token(job_id)}
    )
    assert response.status_code == 200, response.text
    stored = await harvest.resolver.resolve(harvest.tenant_id, "greenhouse", job_id)
    assert stored.raw  # the service holds the ATS's answer ...
    assert leaks(response.text) == []  # ... and the candidate sees none of it
    job = response.json()["job"]
    assert set(job) == set(PublicJob.model_fields)
    assert "raw" not in job
    assert "custom_fields" not in job
    shapes = {frozenset(question) for question in job["questions"]}
    assert shapes == {frozenset(PublicQuestion.model_fields)}
    assert "source_type" not in PublicQuestion.model_fields


async def test_what_was_published_is_all_there(harvest: Harvest) -> None:
    response = await harvest.client.post(
        HANDLE_PATH, headers={"request_token": harvest.token("123")}
    )
    job = response.json()["job"]
    stored = await harvest.resolver.resolve(harvest.tenant_id, "greenhouse", "123")
    assert PublicJob.model_validate(job) == PublicJob.of(stored)
    assert (job["slug"], job["title"], job["department"]) == (
        "greenhouse__123", "Software Engineer", "Engineering",
    )  # fmt: skip
    assert [c["raw"] for c in job["compensation"]] == [
        "New York Salary Range", "San Francisco Salary Range",
    ]  # fmt: skip
    assert job["description_html"] == "<p>We\u2019re looking for the next big innovator.</p>"
    assert job["posting_url"] == "https://job-boards.greenhouse.io/acme/jobs/123"
    ids = [q["id"] for q in job["questions"]]
    assert "demographic_question_300" in ids  # the demographic questions the form asks
    assert len(ids) == 12


@pytest.mark.parametrize("job_id", ["123", "5678"])
async def test_the_apply_page_shows_only_what_the_employer_published(
    harvest: Harvest, job_id: str
) -> None:
    page = await harvest.client.get("/sdk/apply", params={"request_token": harvest.token(job_id)})
    assert page.status_code == 200, page.text
    assert leaks(page.text) == []
    assert "data-question=" in page.text


def test_every_field_of_a_job_is_either_public_or_withheld_on_purpose() -> None:
    """A field added to the Job model stays server-side until someone decides otherwise."""
    public = set(PublicJob.model_fields)
    assert public.isdisjoint(WITHHELD)
    assert public | set(WITHHELD) == set(Job.model_fields)
    assert {"raw", "custom_fields", "requisition_code", "visibility", "status"} <= set(WITHHELD)
    assert all(reason.strip() for reason in WITHHELD.values())
    assert json.dumps(PublicJob.model_json_schema())  # the answer's shape is documented


def test_the_partner_guide_shows_the_handle_answer_as_it_is() -> None:
    guide = (ROOT / "docs" / "partner-guide.md").read_text(encoding="utf-8")
    example = json.loads(guide.split("```json\n", 1)[1].split("```", 1)[0])
    answer = HandleAnswer.model_validate(example)
    assert set(example["job"]) == set(PublicJob.model_fields)
    assert {frozenset(q) for q in example["job"]["questions"]} == {
        frozenset(PublicQuestion.model_fields)
    }
    assert json.loads(answer.model_dump_json()) == example
