"""Every way into every built-in connector, with a recorded job and its first request.

Shared by the hypothesis tests and the atheris harness: each `Way` builds a connector on a
transport that answers from one cassette, except for the body the fuzzer supplies.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import httpx
from embloy_ats import Connector, HttpClient, Job, Registry, Timeouts, to_embloy, to_schema_org
from embloy_ats.replay import AnswerKey, RecordedAnswer, answer_key, recorded_answers

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
_REGISTRY = Registry.discover()


@dataclass(frozen=True)
class Way:
    name: str
    mode: str
    settings: dict[str, str]
    credentials: dict[str, str]
    #: a job the cassette answers, and the cassette.
    job_id: str
    cassette: str
    #: the first request: method, and URL with `{id}` where the job id goes.
    method: str
    first_url: str
    #: how the id travels when not in the path (Ashby's POST body).
    body: Callable[[str], Any] | None = field(default=None)

    def url_for(self, job_id: str) -> str:
        return self.first_url.replace("{id}", job_id)

    def connector_class(self) -> type[Connector]:
        return _REGISTRY.get(self.mode).connector

    def connector(self, http: HttpClient) -> Connector:
        return self.connector_class()(self.settings, self.credentials, http=http)


WAYS = (
    Way("greenhouse-job-board", "greenhouse", {"board_token": "acme"}, {}, "44444",
        "greenhouse/found_docs_example_44444.yaml",
        "GET", "https://boards-api.greenhouse.io/v1/boards/acme/jobs/{id}"),
    Way("lever-postings", "lever", {"site": "leverdemo"}, {},
        "6d5cbe7f-e551-4ae1-b052-08a48f651993", "lever/v0_found_leverdemo_6d5cbe7f.yaml",
        "GET", "https://api.lever.co/v0/postings/leverdemo/{id}"),
    Way("lever-data-api", "lever", {}, {"api_key": "lever-fuzz-key"},
        "3f6c2a9e-8d41-4b7a-9c25-71e0d4b8a6f3", "lever/v1_found_3f6c2a9e.yaml",
        "GET", "https://api.lever.co/v1/postings/{id}"),
    Way("ashby-posting-api", "ashby", {"job_board_name": "kovo"}, {},
        "691c4294-855e-4ab9-b6d9-8d70c6e09866", "ashby/board_kovo.yaml",
        "GET", "https://api.ashbyhq.com/posting-api/job-board/kovo"),
    Way("ashby-job-posting-info", "ashby", {}, {"api_key": "ashby-fuzz-key"},
        "3f0c9a6e-2b1d-4c8e-9a57-6d2e8b1f4c20", "ashby/info_found_hybrid.yaml",
        "POST", "https://api.ashbyhq.com/jobPosting.info",
        body=lambda job_id: {"jobPostingId": job_id.lower()}),
    Way("recruitee-careers", "recruitee", {"company": "acme"}, {}, "2700825",
        "recruitee/found_public_2700825.yaml", "GET", "https://acme.recruitee.com/api/offers/{id}"),
    Way("recruitee-ats", "recruitee", {"company": "acme", "company_id": "12345"},
        {"api_token": "recruitee-fuzz-token"}, "2705510",
        "recruitee/found_ats_constructed_2705510.yaml",
        "GET", "https://api.recruitee.com/c/12345/offers/{id}"),
    Way("teamtailor", "teamtailor", {}, {"api_key": "teamtailor-fuzz-key"}, "7199",
        "teamtailor/found_docs_example_7199.yaml", "GET", "https://api.teamtailor.com/v1/jobs/{id}"),
    Way("workable-spi", "workable", {"subdomain": "groove-tech"},
        {"access_token": "workable-fuzz-token"}, "GROOV005",
        "workable/found_spi_docs_groov005.yaml",
        "GET", "https://groove-tech.workable.com/spi/v3/jobs/{id}"),
    Way("workable-widget", "workable", {"subdomain": "zaelab"}, {}, "DD136DD7E7",
        "workable/found_widget_zaelab.yaml",
        "GET", "https://apply.workable.com/api/v1/widget/accounts/zaelab"),
    Way("smartrecruiters-posting-api", "smartrecruiters", {"company_identifier": "Ubisoft2"}, {},
        "744000151103220", "smartrecruiters/found_744000151103220.yaml",
        "GET", "https://api.smartrecruiters.com/v1/companies/Ubisoft2/postings/{id}"),
    Way("smartrecruiters-questions", "smartrecruiters",
        {"company_identifier": "NordwindLogistik"}, {"api_key": "sr-fuzz-key"},
        "744000412345678", "smartrecruiters/questions_found_744000412345678.yaml",
        "GET", "https://api.smartrecruiters.com/v1/companies/NordwindLogistik/postings/{id}"),
)  # fmt: skip


def _anywhere(key: AnswerKey) -> AnswerKey:
    method, _, path, query, body = key
    return (method, "", path, query, body)


@functools.cache
def _answers(cassette: str) -> Mapping[AnswerKey, RecordedAnswer]:
    """The cassette's answers by request, whatever the host; read once per process (parsing
    the YAML costs far more than a fuzz example), then shared read-only."""
    recorded = recorded_answers([CASSETTES / cassette])
    return MappingProxyType({_anywhere(key): answer for key, answer in recorded.items()})


class Scripted(httpx.AsyncBaseTransport):
    """Answers a way's cassette; the first request of the job gets `body` instead, if given."""

    def __init__(self, way: Way, body: bytes | None = None, status: int = 200) -> None:
        self.way, self.body, self.status = way, body, status
        self.answers = _answers(way.cassette)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        content = await request.aread()
        if self.body is not None and len(self.requests) == 1:
            headers = [("content-type", "application/json")]
            return httpx.Response(self.status, headers=headers, content=self.body)
        found = self.answers.get(_anywhere(answer_key(request.method, str(request.url), content)))
        if found is None:
            found = RecordedAnswer(404, (("content-type", "application/json"),), b"{}")
        return httpx.Response(found.status, headers=list(found.headers), content=found.body)


def client(transport: httpx.AsyncBaseTransport) -> HttpClient:
    return HttpClient(transport=transport, timeouts=Timeouts(attempt=5.0))


def recorded_body(way: Way) -> bytes:
    """The recorded body of the way's first request (what the fuzzers mutate)."""
    scripted = Scripted(way)
    key = answer_key(
        way.method,
        way.url_for(way.job_id),
        json.dumps(way.body(way.job_id)) if way.body is not None else None,
    )
    for candidate, answer in scripted.answers.items():
        if candidate[0] == key[0] and candidate[2] == key[2] and candidate[4] == key[4]:
            return answer.body
    raise LookupError(f"{way.cassette} does not answer {way.method} {key[2]}")


def check_storable(job: Job) -> None:
    """What the resolver and the service do with every Job they get: store it as JSON, read
    it back, export it."""
    again = Job.model_validate_json(job.model_dump_json())
    assert (again.external_id, again.title) == (job.external_id, job.title)
    to_embloy(job)
    to_schema_org(job)


def write_seed_corpus(directory: Path) -> None:
    """One seed per way: its index byte, then its recorded body (the harness's input form)."""
    directory.mkdir(parents=True, exist_ok=True)
    for index, way in enumerate(WAYS):
        (directory / f"{way.name}.seed").write_bytes(bytes([index]) + recorded_body(way))
