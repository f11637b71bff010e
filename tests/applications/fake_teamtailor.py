"""A fake Teamtailor API v1 (JSON:API) that takes applications, on loopback.

It serves one job with a question of every type Teamtailor has (its `GET /v1/jobs/{id}`
answer with the picked questions included, the shapes of Teamtailor's docs, values ours),
takes candidates (unique by email; `merge: true` folds a second one into the first), job
applications and answers (answering a question again updates the answer), and answers the
lookups: candidates by email, a candidate's job applications. It checks the API key and
`X-Api-Version` on every call, and the JSON:API content type on every write.

The job application is the application: `kept` holds job applications (their reference
is the candidate's email), and the scripted faults (`then(Step(...))`) apply to
`POST /v1/job-applications`; `answer_script` scripts the answers' POSTs the same way.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar

from embloy_ats.applications import UploadedFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from benchmarks.apply_ats import Kept, ScriptedAts, Step
from tests.applications.conftest import PDF, SENTINEL, Form

TT_JOB = "7301"
TT_KEY = "tt-admin-stand-in-key-6f2a9c"
TT_VERSION = "20240904"
_JSON_API = "application/vnd.api+json"
#: (id, question-type, title, extra attributes, mandatory)
_QUESTIONS: list[tuple[str, str, str, dict[str, Any], bool]] = [
    ("5101", "Boolean", "Do you have a work permit for Sweden?", {}, True),
    ("5102", "Choice", "Which office would you work from?",
     {"multiple": False, "alternatives": [{"id": 11, "title": "Stockholm"},
                                          {"id": 12, "title": "Oslo"}]}, True),
    ("5103", "Choice", "Which languages do you speak?",
     {"multiple": True, "alternatives": [{"id": 21, "title": "Swedish"},
                                         {"id": 22, "title": "Norwegian"},
                                         {"id": 23, "title": "English"}]}, False),
    ("5104", "Text", "Why do you want to join us?", {"single-line": False}, False),
    ("5105", "Text", "Your GitHub user name", {"single-line": True}, False),
    ("5106", "Range", "Years of Ruby", {"start-with": 0, "end-with": 20, "unit": "years"},
     False),
    ("5107", "Date", "Earliest start", {}, False),
    ("5108", "Number", "Notice period in weeks", {}, False),
    ("5109", "Video", "Tell us about yourself", {}, False),
]  # fmt: skip


def teamtailor_job() -> dict[str, Any]:
    """`GET /v1/jobs/{id}?include=...`: the job, its picked questions and their questions."""
    picked = [
        {"id": f"9{ident}", "type": "picked-questions",
         "attributes": {"mandatory": mandatory},
         "relationships": {"question": {"data": {"type": "questions", "id": ident}}}}
        for ident, _, _, _, mandatory in _QUESTIONS
    ]  # fmt: skip
    questions = [
        {"id": ident, "type": "questions",
         "attributes": {"title": title, "question-type": kind, **extra}}
        for ident, kind, title, extra, _ in _QUESTIONS
    ]  # fmt: skip
    return {
        "data": {
            "id": TT_JOB, "type": "jobs",
            "links": {"careersite-job-url": f"https://acme.teamtailor.com/jobs/{TT_JOB}-dev"},
            "attributes": {
                "title": "Delivery Engineer", "body": "<p>Deliver every application once.</p>",
                "status": "open", "human-status": "published", "internal": False,
                "remote-status": "hybrid", "created-at": "2026-11-02T09:00:00+01:00",
                "name-requirement": "required", "phone-requirement": "optional",
                "resume-requirement": "optional", "cover-letter-requirement": "optional",
            },
            "relationships": {
                "picked-questions": {"data": [{"type": "picked-questions", "id": p["id"]}
                                              for p in picked]},
            },
        },
        "included": [*picked, *questions],
    }  # fmt: skip


def teamtailor_form(n: int = 0, **answers: list[str]) -> Form:
    """Candidate `n`'s answers to every question but the video (and no file)."""
    fields = {
        "answer.name": [f"Jane Maria {SENTINEL}name Doe"],
        "answer.email": [f"jane.{SENTINEL}.{n}@example.org"],
        "answer.phone": ["+46 8 1234 5678"],
        "answer.cover_letter": [f"Dear team, {SENTINEL}letter"],
        "answer.5101": ["yes"],
        "answer.5102": ["12"],
        "answer.5103": ["21", "23"],
        "answer.5104": [f"Because. {SENTINEL}why"],
        "answer.5105": ["jane-doe"],
        "answer.5106": ["7"],
        "answer.5107": ["2027-01-15"],
        "answer.5108": ["4"],
    }
    fields.update({f"answer.{key}": value for key, value in answers.items()})
    return fields, {}


def teamtailor_form_with_resume(n: int = 0, **answers: list[str]) -> Form:
    fields, _ = teamtailor_form(n, **answers)
    return fields, {"answer.resume": [UploadedFile(f"{SENTINEL}-cv.pdf", "application/pdf", PDF)]}


def _errors(status: int, detail: str, pointer: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"status": str(status), "title": "Invalid", "detail": detail,
                     "source": {"pointer": pointer}}]},
        status_code=status,
    )  # fmt: skip


@dataclass
class FakeTeamtailor(ScriptedAts):
    """Teamtailor's API v1 for one account: jobs, candidates, job applications, answers."""

    success_status: ClassVar[int] = 201
    #: candidate id by email, and what each candidate was created (or merged) with.
    candidates: dict[str, str] = field(default_factory=dict)
    candidate_attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    candidate_posts: int = 0
    #: the answer of each (candidate id, question id), and its id.
    answers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    answer_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    answer_posts: int = 0
    answer_script: deque[Step] = field(default_factory=deque)
    #: every Authorization / X-Api-Version / Content-Type header pair seen on a write.
    write_headers: set[tuple[str | None, str | None, str | None]] = field(default_factory=set)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(40001))
    _answered: asyncio.Event = field(default_factory=asyncio.Event)

    def routes(self) -> list[Route]:
        return [
            Route("/v1/jobs/{job_id}", self._job, methods=["GET"]),
            Route("/v1/candidates", self._create_candidate, methods=["POST"]),
            Route("/v1/candidates", self._search, methods=["GET"]),
            Route("/v1/candidates/{candidate}/job-applications", self._applications_of,
                  methods=["GET"]),
            Route("/v1/job-applications", self._apply, methods=["POST"]),
            Route("/v1/answers", self._answer, methods=["POST"]),
        ]  # fmt: skip

    def _refused(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Token token={TT_KEY}":
            return _errors(401, "Invalid API key", "/")
        if request.headers.get("x-api-version") != TT_VERSION:
            return _errors(406, "Invalid/Missing API Version", "/")
        if request.method == "POST":
            self.write_headers.add((request.headers.get("authorization"),
                                    request.headers.get("x-api-version"),
                                    request.headers.get("content-type")))  # fmt: skip
            if request.headers.get("content-type") != _JSON_API:
                return _errors(415, "Unsupported media type", "/")
        return None

    def rate_limited_body(self) -> dict[str, Any]:
        return {"errors": [{"status": "429", "title": "Too many requests"}]}

    def _id(self) -> str:
        return str(next(self._numbers))

    async def _job(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        if request.path_params["job_id"] != TT_JOB:
            return _errors(404, "Record not found", "/")
        return JSONResponse(teamtailor_job())

    async def _create_candidate(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        self.candidate_posts += 1
        data = json.loads(await request.body())["data"]
        assert data["type"] == "candidates"
        attributes = data["attributes"]
        address = attributes.get("email")
        if not address:
            return _errors(422, "can't be blank", "/data/attributes/email")
        if address in self.candidates and attributes.get("merge") is not True:
            return _errors(422, "has already been taken", "/data/attributes/email")
        ident = self.candidates.setdefault(address, self._id())
        self.candidate_attributes[ident] = {**self.candidate_attributes.get(ident, {}),
                                            **attributes}  # fmt: skip
        return JSONResponse(
            {"data": {"id": ident, "type": "candidates",
                      "attributes": {"email": address, "created-at": self.stamp()}}},
            status_code=201,
        )  # fmt: skip

    async def _search(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        address = request.query_params.get("filter[email]")
        found = [
            {"id": ident, "type": "candidates", "attributes": {"email": email}}
            for email, ident in self.candidates.items() if email == address
        ]  # fmt: skip
        return JSONResponse({"data": found, "meta": {"record-count": len(found)}})

    async def _applications_of(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        self.lookups += 1
        candidate = request.path_params["candidate"]
        found: list[dict[str, Any]] = [
            {"id": kept.ats_id, "type": "job-applications",
             "attributes": {"created-at": kept.created_at, "sourced": False},
             "relationships": {"job": {"data": {"type": "jobs", "id": kept.job_id}},
                               "candidate": {"data": {"type": "candidates",
                                                      "id": candidate}}}}
            for kept in self.kept if self.candidates.get(kept.email) == candidate
        ]  # fmt: skip
        found.sort(key=lambda item: item["attributes"]["created-at"], reverse=True)
        return JSONResponse({"data": found})

    async def _apply(self, request: Request) -> Response:
        refused = self.admit() or self._refused(request)
        if refused is not None:
            return refused
        step = self.next_step()
        data = json.loads(await request.body())["data"]
        assert data["type"] == "job-applications"
        related = data["relationships"]
        candidate = related["candidate"]["data"]["id"]
        job_id = related["job"]["data"]["id"]
        address = next((e for e, i in self.candidates.items() if i == candidate), None)
        if address is None:
            return _errors(422, "must exist", "/data/relationships/candidate")
        kept = Kept(
            self._id(), address, job_id, address, data["attributes"], [],
            request.headers.get("authorization"), self.stamp(),
        )  # fmt: skip
        return await self.settle(step, kept, lambda kept: {"data": {
            "id": kept.ats_id, "type": "job-applications",
            "attributes": {"created-at": kept.created_at, **kept.answers},
        }})  # fmt: skip

    async def _answer(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        self.answer_posts += 1
        self._answered.set()
        step = self.answer_script.popleft() if self.answer_script else Step()
        data = json.loads(await request.body())["data"]
        assert data["type"] == "answers"
        related = data["relationships"]
        key = (related["candidate"]["data"]["id"], related["question"]["data"]["id"])
        if key[0] not in self.candidates.values():
            return _errors(422, "must exist", "/data/relationships/candidate")

        def record(kept: Kept) -> Kept:
            self.answers[key] = data["attributes"]  # answering again updates
            self.answer_ids.setdefault(key, self._id())
            return kept

        placeholder = Kept("", "", "", "", {}, [])
        return await self.settle(
            step, placeholder,
            lambda _: {"data": {"id": self.answer_ids.get(key, "0"), "type": "answers",
                                "attributes": data["attributes"]}},
            keep=record,
        )  # fmt: skip

    async def answered(self, count: int) -> None:
        """Return once `count` answer POSTs have arrived."""
        while self.answer_posts < count:
            self._answered.clear()
            await self._answered.wait()

    def answers_of(self, address: str) -> dict[str, dict[str, Any]]:
        """The answers of the candidate with this email, by question id."""
        ident = self.candidates.get(address)
        return {question: value for (who, question), value in self.answers.items()
                if who == ident}  # fmt: skip


__all__ = [
    "TT_JOB",
    "TT_KEY",
    "TT_VERSION",
    "FakeTeamtailor",
    "teamtailor_form",
    "teamtailor_form_with_resume",
    "teamtailor_job",
]
