"""Fake Greenhouse, Lever and Ashby servers that take applications, on loopback.

Each serves one job the way its ATS does (the shapes of the ATS's documented or recorded
answers, values ours), takes applications where its ATS takes them, and records what it
received: the wire fields, the file bytes, the Authorization header or key. Lookups answer
from what was kept. Application POSTs follow `benchmarks.apply_ats.Step` scripts (errors,
hangs past the client's timeout, bodies), as the generic fake does.

The `reference` of each kept application is the candidate's email: every test candidate
has their own (`form(n)`), so `times_kept()` says whether each arrived once.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest
from embloy_ats.applications import UploadedFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from benchmarks.apply_ats import Kept, ScriptedAts, Step, running
from tests.applications.conftest import PDF, SENTINEL, Form, Pipeline, started_pipeline
from tests.applications.fake_personio import (
    PERSONIO_CLIENT,
    PERSONIO_COMPANY,
    PERSONIO_COMPANY_ID,
    PERSONIO_JOB,
    FakePersonio,
    personio_form,
)
from tests.applications.fake_recruitee import (
    RC_COMPANY,
    RC_COMPANY_ID,
    RC_SLUG,
    RC_TOKEN,
    FakeRecruitee,
    recruitee_answers,
)
from tests.applications.fake_smartrecruiters import (
    SR_COMPANY,
    SR_KEY,
    SR_POSTING,
    FakeSmartRecruiters,
    smartrecruiters_form,
)
from tests.applications.fake_teamtailor import TT_JOB, TT_KEY, FakeTeamtailor, teamtailor_form
from tests.applications.fake_workable import (
    WK_JOB,
    WK_SUBDOMAIN,
    WK_TOKEN,
    FakeWorkable,
    workable_answers,
)
from tests.resolver.conftest import ManualClock

SAMPLE = f"work sample {SENTINEL}-sample".encode()


def basic(user: str) -> str:
    """The Authorization header of HTTP Basic with `user` and an empty password."""
    return "Basic " + base64.b64encode(f"{user}:".encode()).decode()


async def multipart(request: Request) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """A `multipart/form-data` (or URL-encoded) body: its fields and its file parts."""
    raw = await request.body()
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/x-www-form-urlencoded"):
        return {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}, []
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {kind}\r\n\r\n".encode() + raw
    )
    fields: dict[str, str] = {}
    files: list[dict[str, Any]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        assert isinstance(name, str)
        assert isinstance(data, bytes)
        filename = part.get_filename()
        if filename is None:
            fields[name] = data.decode()
        else:
            files.append({"field": name, "name": filename,
                          "content_type": part.get_content_type(), "data": data})  # fmt: skip
    return fields, files


# -- Greenhouse ---------------------------------------------------------------------------------

GH_BOARD = "acme"
GH_POST = "4011"
GH_JOB = "4010"
GH_KEY = "gh-jb-stand-in-key-7c1e9a"
GH_CLIENT = {"client_id": "gh-client-stand-in", "client_secret": "gh-secret-stand-in-5d2b"}
_GH_QUESTIONS = [
    # (field name, label, Job Board type, Harvest v3 answer type, required, options)
    ("first_name", "First Name", "input_text", "short_text", True, []),
    ("last_name", "Last Name", "input_text", "short_text", True, []),
    ("email", "Email", "input_text", "short_text", True, []),
    ("phone", "Phone", "input_text", "short_text", False, []),
    ("resume", "Resume/CV", "input_file", "attachment", True, []),
    ("cover_letter", "Cover Letter", "input_file", "attachment", False, []),
    ("question_5001", "LinkedIn Profile", "input_text", "short_text", False, []),
    ("question_5002", "Are you authorized to work in Germany?", "multi_value_single_select",
     "boolean", True, [(0, "No"), (1, "Yes")]),
    ("question_5003", "How did you hear about us?", "multi_value_single_select",
     "single_select", False, [(60011, "Job board"), (60012, "Referral")]),
    ("question_5004[]", "Which languages do you speak?", "multi_value_multi_select",
     "multi_select", False, [(60021, "English"), (60022, "German"), (60023, "French")]),
    ("question_5005", "Why us?", "textarea", "long_text", False, []),
    ("question_5006", "Work sample", "input_file", "attachment", False, []),
]  # fmt: skip


def greenhouse_board_job() -> dict[str, Any]:
    """The job as the Job Board API's "Retrieve a job" answers it (`?questions=true`)."""
    return {
        "id": int(GH_POST), "internal_job_id": int(GH_JOB), "title": "Delivery Engineer",
        "updated_at": "2026-11-02T09:00:00-05:00", "requisition_id": "R-7",
        "location": {"name": "Berlin, Germany"},
        "content": "&lt;p&gt;Deliver every application once.&lt;/p&gt;",
        "absolute_url": f"https://boards.greenhouse.io/{GH_BOARD}/jobs/{GH_POST}",
        "language": "en",
        "location_questions": [
            {"label": "Location", "required": False,
             "fields": [{"name": "location", "type": "input_text", "values": []}]},
            {"label": "Latitude", "required": False,
             "fields": [{"name": "latitude", "type": "input_hidden", "values": []}]},
        ],
        "questions": [
            {"label": label, "required": required,
             "fields": [{"name": name, "type": kind,
                         "values": [{"value": v, "label": t} for v, t in options]}]
             + ([{"name": f"{name}_text", "type": "textarea", "values": []}]
                if kind == "input_file" and not name.startswith("question_") else [])}
            for name, label, kind, _, required, options in _GH_QUESTIONS
        ],
        "data_compliance": [{"type": "gdpr", "requires_consent": True,
                             "requires_processing_consent": False,
                             "requires_retention_consent": False, "retention_period": None}],
    }  # fmt: skip


def greenhouse_post() -> dict[str, Any]:
    """The same post as Harvest v3's `GET /v3/job_posts` lists it."""
    return {
        "id": int(GH_POST), "title": "Delivery Engineer", "internal": False, "active": True,
        "live": True, "job_id": int(GH_JOB), "content": "<p>Deliver every application once.</p>",
        "language": "en", "public_url": f"https://boards.greenhouse.io/{GH_BOARD}/jobs/{GH_POST}",
        "location": {"type": "free_text", "name": "Berlin, Germany", "id": None},
        "questions": [
            {"id": int(name.split("_")[1].rstrip("[]")) if name.startswith("question_") else None,
             "label": label, "name": name, "description": None, "required": required,
             "private": False, "answer_type": answer_type,
             "options": [{"id": v, "label": t} for v, t in options]}
            for name, label, _, answer_type, required, options in _GH_QUESTIONS
        ],
    }  # fmt: skip


def greenhouse_harvest_form(n: int = 0, **answers: list[str]) -> Form:
    """The application to the post as Harvest reads it: no consent question (Harvest v3
    publishes no `data_compliance`)."""
    fields, files = greenhouse_form(n, **answers)
    fields.pop("answer.data_compliance.gdpr_consent_given")
    return fields, files


def greenhouse_form(n: int = 0, **answers: list[str]) -> Form:
    fields = {
        "answer.first_name": [f"Jane{SENTINEL}first"],
        "answer.last_name": [f"Doe{SENTINEL}last"],
        "answer.email": [f"jane.{SENTINEL}.{n}@example.org"],
        "answer.phone": ["+49 30 1234 5678"],
        "answer.question_5001": ["linkedin.com/in/jane"],
        "answer.question_5002": ["yes"],
        "answer.question_5003": ["60012"],
        "answer.question_5004[]": ["60021", "60022"],
        "answer.question_5005": [f"Because. {SENTINEL}why"],
        "answer.data_compliance.gdpr_consent_given": ["yes"],
    }
    fields.update({f"answer.{key}": value for key, value in answers.items()})
    files = {
        "answer.resume": [UploadedFile(f"{SENTINEL}-cv.pdf", "application/pdf", PDF)],
        "answer.question_5006": [UploadedFile(f"{SENTINEL}-sample.txt", "text/plain", SAMPLE)],
    }
    return fields, files


@dataclass
class FakeGreenhouse(ScriptedAts):
    """Job Board API (the job, the application POST) and Harvest v3 (OAuth token, the job
    post and job, candidates by email, applications by candidate)."""

    success_status: ClassVar[int] = 200
    _candidates: dict[str, int] = field(default_factory=dict)
    _applications: itertools.count[int] = field(default_factory=lambda: itertools.count(70001))

    def routes(self) -> list[Route]:
        return [
            Route("/v1/boards/{board}/jobs/{job_id}", self._board_job, methods=["GET"]),
            Route("/v1/boards/{board}/jobs/{job_id}", self._apply, methods=["POST"]),
            Route("/token", self._token, methods=["POST"]),
            Route("/v3/{resource}", self._v3, methods=["GET"]),
        ]

    async def _board_job(self, request: Request) -> Response:
        return JSONResponse(greenhouse_board_job())

    async def _apply(self, request: Request) -> Response:
        refused = self.admit()
        if refused is not None:
            return refused
        step = self.next_step()
        if request.headers.get("authorization") != basic(GH_KEY):
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        sent = json.loads(await request.body())
        files = [
            {"field": key.removesuffix("_content"), "name": sent[f"{key}_filename"],
             "data": base64.b64decode(value)}
            for key, value in sent.items() if key.endswith("_content")
        ]  # fmt: skip
        answers = {k: v for k, v in sent.items() if not k.endswith(("_content", "_filename"))}
        address = str(sent.get("email"))
        kept = Kept(
            str(next(self._applications)), address, request.path_params["job_id"], address,
            answers, files, request.headers.get("authorization"), self.stamp(),
        )  # fmt: skip
        return await self.settle(
            step, kept, lambda kept: {"success": "Candidate saved successfully"}
        )

    async def _token(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode())
        if request.headers.get("authorization") != "Basic " + base64.b64encode(
            f"{GH_CLIENT['client_id']}:{GH_CLIENT['client_secret']}".encode()
        ).decode() or form.get("grant_type") != ["client_credentials"]:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        return JSONResponse({"token_type": "Bearer", "access_token": "gh-access-stand-in",
                             "expires_at": "2099-01-01T00:00:00.000Z"})  # fmt: skip

    def candidate_id(self, address: str) -> int:
        return self._candidates.setdefault(address, 90001 + len(self._candidates))

    async def _v3(self, request: Request) -> Response:
        if request.headers.get("authorization") != "Bearer gh-access-stand-in":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        resource, query = request.path_params["resource"], request.query_params
        if resource == "job_posts":
            return JSONResponse([greenhouse_post()] if query.get("ids") == GH_POST else [])
        if resource == "jobs":
            job = {"id": int(GH_JOB), "name": "Delivery Engineer", "status": "open",
                   "confidential": False, "custom_fields": {}}  # fmt: skip
            return JSONResponse([job] if query.get("ids") == GH_JOB else [])
        if resource == "candidates":
            self.lookups += 1
            address = query.get("email")
            found = {k.email for k in self.kept if k.email == address}
            return JSONResponse([
                {"id": self.candidate_id(a), "email_addresses": [{"value": a, "type": "personal"}]}
                for a in found
            ])  # fmt: skip
        if resource == "applications":
            wanted = set(query.get("candidate_ids", "").split(","))
            return JSONResponse([
                {"id": int(k.ats_id), "candidate_id": self.candidate_id(k.email),
                 "job_id": int(GH_JOB), "job_post_id": int(k.job_id), "status": "active",
                 "created_at": k.created_at}
                for k in self.kept if str(self.candidate_id(k.email)) in wanted
            ])  # fmt: skip
        return JSONResponse([])  # the lists a job post has none of here


# -- Lever --------------------------------------------------------------------------------------

LEVER_SITE = "acme"
LEVER_POSTING = "a3f7c9e1-5b2d-4c8e-9f61-2d4b8e7a1c05"
LEVER_KEY = "lever-api-stand-in-key-91ad"
LEVER_POSTINGS_KEY = "lever-postings-stand-in-key-3e7f"
LEVER_CARD = "c0de5a1e-7b3f-4d2a-8e91-5f6a7b8c9d0e"
_LEVER_FIELDS = [
    # (field id, type, text, options)
    ("f1a2b3c4-0000-4000-8000-000000000001", "multiple-choice",
     "Are you authorized to work in Germany?", ["Yes", "No"]),
    ("f1a2b3c4-0000-4000-8000-000000000002", "dropdown", "Notice period",
     ["None", "1 month", "3 months"]),
    ("f1a2b3c4-0000-4000-8000-000000000003", "multiple-select", "Languages",
     ["English", "German", "French"]),
    ("f1a2b3c4-0000-4000-8000-000000000004", "textarea", "Why us?", []),
    ("f1a2b3c4-0000-4000-8000-000000000005", "file-upload", "Work sample", []),
]  # fmt: skip
_LEVER_PERSONAL = [
    ("fullName", "Full name", "text", True), ("email", "Email", "text", True),
    ("phone", "Phone", "text", False), ("currentCompany", "Current company", "text", False),
    ("resume", "Resume", "file-upload", False),
    ("additionalInformation", "Additional information", "textarea", False),
]  # fmt: skip


def lever_posting() -> dict[str, Any]:
    """The posting as the Postings API answers it (`?mode=json`)."""
    return {
        "id": LEVER_POSTING, "text": "Delivery Engineer",
        "categories": {"commitment": "Full-time", "location": "Berlin, Germany",
                       "team": "Platform"},
        "description": "<div>Deliver every application once.</div>",
        "descriptionPlain": "Deliver every application once.", "lists": [],
        "additional": "", "createdAt": 1790000000000, "workplaceType": "hybrid",
        "hostedUrl": f"https://jobs.lever.co/{LEVER_SITE}/{LEVER_POSTING}",
        "applyUrl": f"https://jobs.lever.co/{LEVER_SITE}/{LEVER_POSTING}/apply",
    }  # fmt: skip


def lever_form() -> dict[str, Any]:
    """`GET /v1/postings/{id}/apply`'s `data`: the application form."""
    return {
        "id": LEVER_POSTING, "text": "Delivery Engineer",
        "customQuestions": [{
            "id": LEVER_CARD, "text": "A few questions", "fields": [
                {"id": ident, "type": kind, "text": text, "description": "", "prompt": "",
                 "required": False, "value": None, **({"options": [{"text": o} for o in options]}
                                                       if options else {})}
                for ident, kind, text, options in _LEVER_FIELDS
            ],
        }],
        "personalInformation": [
            {"name": name, "text": text, "type": kind, "required": required, "value": None}
            for name, text, kind, required in _LEVER_PERSONAL
        ],
        "urls": [{"name": "LinkedIn", "text": "LinkedIn", "type": "text", "required": False,
                  "value": None}],
        "consentDisclosures": None,
    }  # fmt: skip


def lever_form_answers(n: int = 0, **answers: list[str]) -> Form:
    """An application to the Lever API's form (every question answered)."""
    card = f"answer.{LEVER_CARD}."
    fields = {
        "answer.fullName": [f"Jane {SENTINEL}name Doe"],
        "answer.email": [f"jane.{SENTINEL}.{n}@example.org"],
        "answer.phone": ["+49 30 1234 5678"],
        "answer.currentCompany": ["Acme"],
        "answer.additionalInformation": [f"Thanks. {SENTINEL}note"],
        "answer.urls.LinkedIn": ["linkedin.com/in/jane"],
        card + _LEVER_FIELDS[0][0]: ["yes"],
        card + _LEVER_FIELDS[1][0]: ["1 month"],
        card + _LEVER_FIELDS[2][0]: ["English", "German"],
    }
    fields.update({f"answer.{key}": value for key, value in answers.items()})
    files = {
        "answer.resume": [UploadedFile(f"{SENTINEL}-cv.pdf", "application/pdf", PDF)],
        card + _LEVER_FIELDS[4][0]: [UploadedFile(f"{SENTINEL}-sample.txt", "text/plain", SAMPLE)],
    }
    return fields, files


def lever_postings_answers(n: int = 0, **answers: list[str]) -> Form:
    """An application to a job read from the Postings API (its standard questions)."""
    fields = {
        "answer.fullName": [f"Jane {SENTINEL}name Doe"],
        "answer.email": [f"jane.{SENTINEL}.{n}@example.org"],
        "answer.phone": ["+49 30 1234 5678"],
        "answer.currentCompany": ["Acme"],
        "answer.urls.LinkedIn": ["linkedin.com/in/jane"],
        "answer.additionalInformation": [f"Thanks. {SENTINEL}note"],
    }
    fields.update({f"answer.{key}": value for key, value in answers.items()})
    files = {"answer.resume": [UploadedFile(f"{SENTINEL}-cv.pdf", "application/pdf", PDF)]}
    return fields, files


@dataclass
class FakeLever(ScriptedAts):
    """The Postings API (posting, apply with `?key=`; applications merged by email, as Lever
    documents) and the Lever API (posting, form, uploads, apply, opportunities by email)."""

    success_status: ClassVar[int] = 201
    #: what `POST /v1/uploads` took, by the uri it answered.
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)

    def routes(self) -> list[Route]:
        return [
            Route("/v0/postings/{site}/{posting}", self._v0_posting, methods=["GET"]),
            Route("/v0/postings/{site}/{posting}", self._v0_apply, methods=["POST"]),
            Route("/v1/postings/{posting}", self._v1_posting, methods=["GET"]),
            Route("/v1/postings/{posting}/apply", self._v1_form, methods=["GET"]),
            Route("/v1/postings/{posting}/apply", self._v1_apply, methods=["POST"]),
            Route("/v1/uploads", self._upload, methods=["POST"]),
            Route("/v1/opportunities", self._opportunities, methods=["GET"]),
        ]

    def _v1_authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == basic(LEVER_KEY)

    async def _v0_posting(self, request: Request) -> Response:
        return JSONResponse(lever_posting())

    async def _v0_apply(self, request: Request) -> Response:
        refused = self.admit()
        if refused is not None:
            return refused
        step = self.next_step()
        if request.query_params.get("key") != LEVER_POSTINGS_KEY:
            return JSONResponse({"ok": False, "error": "Invalid API key"}, status_code=401)
        fields, files = await multipart(request)
        kept = Kept(
            f"lever-app-{self.next_id()}", fields.get("email", ""),
            request.path_params["posting"], fields.get("email", ""), fields, files,
            "key=" + request.query_params["key"], self.stamp(),
        )  # fmt: skip
        return await self.settle(
            step, kept, lambda kept: {"ok": True, "applicationId": kept.ats_id},
            keep=self._merge, success_status=200,
        )  # fmt: skip

    def _merge(self, kept: Kept) -> Kept:
        """Lever merges a second application by the same email into the first."""
        for earlier in self.kept:
            if earlier.email == kept.email and earlier.job_id == kept.job_id:
                return earlier
        return self.keep(kept)

    async def _v1_posting(self, request: Request) -> Response:
        if not self._v1_authorised(request):
            return JSONResponse({"code": "UnauthorizedError"}, status_code=401)
        posting = lever_posting()
        return JSONResponse({"data": {
            "id": posting["id"], "text": posting["text"], "state": "published",
            "distributionChannels": ["public"], "categories": posting["categories"],
            "content": {"description": "Deliver every application once.",
                        "descriptionHtml": posting["description"], "lists": []},
            "urls": {"show": posting["hostedUrl"], "apply": posting["applyUrl"]},
            "createdAt": posting["createdAt"], "workplaceType": "hybrid",
        }})  # fmt: skip

    async def _v1_form(self, request: Request) -> Response:
        if not self._v1_authorised(request):
            return JSONResponse({"code": "UnauthorizedError"}, status_code=401)
        return JSONResponse({"data": lever_form()})

    async def _upload(self, request: Request) -> Response:
        if not self._v1_authorised(request):
            return JSONResponse({"code": "UnauthorizedError"}, status_code=401)
        _, files = await multipart(request)
        (file,) = files
        uri = f"https://lever-uploads.example/{self.next_id()}"
        self.uploads[uri] = file
        return JSONResponse({"data": {"uri": uri}})

    async def _v1_apply(self, request: Request) -> Response:
        refused = self.admit()
        if refused is not None:
            return refused
        step = self.next_step()
        if not self._v1_authorised(request):
            return JSONResponse({"code": "UnauthorizedError"}, status_code=401)
        sent = json.loads(await request.body())
        personal = {item["name"]: item["value"] for item in sent.get("personalInformation", [])}
        values = [*personal.values()] + [
            f["value"] for card in sent.get("customQuestions", []) for f in card["fields"]
        ]
        files = [self.uploads[v] for v in values if isinstance(v, str) and v in self.uploads]
        address = str(personal.get("email"))
        kept = Kept(
            f"lever-app-{self.next_id()}", address, request.path_params["posting"], address,
            sent, files, request.headers.get("authorization"), self.stamp(),
        )  # fmt: skip
        return await self.settle(step, kept, lambda kept: {"data": {"applicationId": kept.ats_id}})

    async def _opportunities(self, request: Request) -> Response:
        if not self._v1_authorised(request):
            return JSONResponse({"code": "UnauthorizedError"}, status_code=401)
        self.lookups += 1
        query = request.query_params
        found = [
            {"id": f"opp-{k.ats_id}", "emails": [k.email], "applications": [k.ats_id],
             "createdAt": int(datetime.fromisoformat(k.created_at).timestamp() * 1000)}
            for k in self.kept
            if k.email == query.get("email") and k.job_id == query.get("posting_id")
        ]  # fmt: skip
        return JSONResponse({"data": found, "hasNext": False})


# -- Ashby --------------------------------------------------------------------------------------

ASHBY_POSTING = "5e2c8a41-9d3b-4f6e-a1c7-3b8d2e6f4a90"
ASHBY_JOB = "8b1f4d2c-6a3e-4c9b-b7d5-1e2f3a4b5c6d"
ASHBY_KEY = "ashby-stand-in-key-4b8e2d"
_ASHBY_FIELDS = [
    # (path, type, title, required, selectable values)
    ("_systemfield_name", "String", "Name", True, []),
    ("_systemfield_email", "Email", "Email", True, []),
    ("_systemfield_resume", "File", "Resume", True, []),
    ("0f3e2d1c-0000-4000-8000-000000000001", "Phone", "Phone", False, []),
    ("0f3e2d1c-0000-4000-8000-000000000002", "Url", "LinkedIn Profile URL", False, []),
    ("0f3e2d1c-0000-4000-8000-000000000003", "ValueSelect", "How much experience do you have?",
     True, ["0-5 years", "5-10 years", "10+ years"]),
    ("0f3e2d1c-0000-4000-8000-000000000004", "MultiValueSelect", "Languages", False,
     ["English", "German"]),
    ("0f3e2d1c-0000-4000-8000-000000000005", "Boolean", "Authorized to work in Germany?",
     True, []),
    ("0f3e2d1c-0000-4000-8000-000000000006", "Number", "Years of Python", False, []),
    ("0f3e2d1c-0000-4000-8000-000000000007", "Date", "Earliest start", False, []),
    ("0f3e2d1c-0000-4000-8000-000000000008", "LongText", "Why are you interested?", False, []),
    ("_systemfield_location", "Location", "Where do you live?", False, []),
]  # fmt: skip


def ashby_posting() -> dict[str, Any]:
    """`jobPosting.info`'s `results`, with its application form."""
    return {
        "id": ASHBY_POSTING, "title": "Delivery Engineer", "jobId": ASHBY_JOB,
        "descriptionHtml": "<p>Deliver every application once.</p>",
        "descriptionPlain": "Deliver every application once.", "departmentName": "Platform",
        "locationName": "Berlin", "employmentType": "FullTime", "isListed": True,
        "applicationFormDefinition": {"sections": [{"fields": [
            {"isRequired": required, "field": {
                "id": path if "-" in path else f"0f3e2d1c-1111-4000-8000-00000000000{i}",
                "type": kind, "path": path, "title": title, "isNullable": False,
                **({"selectableValues": [{"label": v, "value": v} for v in values]}
                   if values else {})}}
            for i, (path, kind, title, required, values) in enumerate(_ASHBY_FIELDS)
        ]}]},
    }  # fmt: skip


def ashby_form(n: int = 0, **answers: list[str]) -> Form:
    paths = [path for path, *_ in _ASHBY_FIELDS]
    fields = {
        "answer._systemfield_name": [f"Jane {SENTINEL}name Doe"],
        "answer._systemfield_email": [f"jane.{SENTINEL}.{n}@example.org"],
        f"answer.{paths[3]}": ["+49 30 1234 5678"],
        f"answer.{paths[4]}": ["linkedin.com/in/jane"],
        f"answer.{paths[5]}": ["5-10 years"],
        f"answer.{paths[6]}": ["English", "German"],
        f"answer.{paths[7]}": ["yes"],
        f"answer.{paths[8]}": ["7"],
        f"answer.{paths[9]}": ["2027-01-15"],
        f"answer.{paths[10]}": [f"Because. {SENTINEL}why"],
        "answer._systemfield_location": ["Berlin, Germany"],
    }
    fields.update({f"answer.{key}": value for key, value in answers.items()})
    files = {"answer._systemfield_resume": [UploadedFile(f"{SENTINEL}-cv.pdf",
                                                         "application/pdf", PDF)]}  # fmt: skip
    return fields, files


@dataclass
class FakeAshby(ScriptedAts):
    """`jobPosting.info`, `applicationForm.submit` (multipart), `application.info` (by
    submitted form or application id) and `candidate.search` (by email)."""

    success_status: ClassVar[int] = 200
    #: the submitted form id of each kept application.
    forms: dict[str, str] = field(default_factory=dict)

    def routes(self) -> list[Route]:
        return [
            Route("/jobPosting.info", self._posting, methods=["POST"]),
            Route("/applicationForm.submit", self._submit, methods=["POST"]),
            Route("/application.info", self._application, methods=["POST"]),
            Route("/candidate.search", self._search, methods=["POST"]),
        ]

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == basic(ASHBY_KEY)

    def rate_limited_body(self) -> dict[str, Any]:
        return {"success": False, "errorInfo": {"code": "rate_limit_exceeded"}}

    async def _posting(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"success": False}, status_code=401)
        return JSONResponse({"success": True, "results": ashby_posting()})

    async def _submit(self, request: Request) -> Response:
        refused = self.admit()
        if refused is not None:
            return refused
        step = self.next_step()
        if not self._authorised(request):
            return JSONResponse({"success": False}, status_code=401)
        fields, files = await multipart(request)
        form = json.loads(fields["applicationForm"])
        answers = {item["path"]: item["value"] for item in form["fieldSubmissions"]}
        address = str(answers.get("_systemfield_email"))
        kept = Kept(
            f"7a1b2c3d-0000-4000-8000-{self.next_id():012d}", address, fields["jobPostingId"],
            address, {"jobPostingId": fields["jobPostingId"], **answers}, files,
            request.headers.get("authorization"), self.stamp(),
        )  # fmt: skip
        self.forms[kept.ats_id] = f"9c8d7e6f-0000-4000-8000-{self.next_id():012d}"
        return await self.settle(step, kept, lambda kept: {"success": True, "results": {
            "submittedFormInstance": {"id": self.forms[kept.ats_id]},
            "formMessages": {"blocked": False},
        }})  # fmt: skip

    async def _application(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"success": False}, status_code=401)
        asked = json.loads(await request.body())
        for kept in self.kept:
            if asked.get("applicationId") == kept.ats_id or (
                asked.get("submittedFormInstanceId") == self.forms.get(kept.ats_id)
            ):
                return JSONResponse({"success": True, "results": {
                    "id": kept.ats_id, "createdAt": kept.created_at, "status": "Active",
                    "candidate": {"id": f"cand-{kept.email}"}, "job": {"id": ASHBY_JOB},
                    "appliedViaJobPostingId": kept.job_id,
                }})  # fmt: skip
        return JSONResponse({"success": False, "errorInfo": {"code": "application_not_found"}})

    async def _search(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"success": False}, status_code=401)
        self.lookups += 1
        address = json.loads(await request.body()).get("email")
        ids = [k.ats_id for k in self.kept if k.email == address]
        results = [{"id": f"cand-{address}", "applicationIds": ids}] if ids else []
        return JSONResponse({"success": True, "results": results})


# -- the ways a tenant can be set up, for the tests ------------------------------------------


@dataclass(frozen=True)
class Profile:
    """A tenant's connection to one of the fakes: which connector, job, settings and
    credentials, the apply page's answers to that job, and what the connector does after
    an ambiguous outcome."""

    name: str
    fake: type[ScriptedAts]
    mode: str
    job_id: str
    settings: dict[str, str]
    credentials: dict[str, str]
    form_for: Any
    #: "lookup": looks the application up; "resend": resends (the ATS merges); "fail":
    #: fails as unknown_outcome.
    after_doubt: str


PROFILES = {
    profile.name: profile
    for profile in (
        Profile("greenhouse", FakeGreenhouse, "greenhouse", GH_POST, {"board_token": GH_BOARD},
                {"job_board_api_key": GH_KEY, **GH_CLIENT}, greenhouse_harvest_form, "lookup"),
        Profile("greenhouse-job-board", FakeGreenhouse, "greenhouse", GH_POST,
                {"board_token": GH_BOARD}, {"job_board_api_key": GH_KEY}, greenhouse_form,
                "fail"),
        Profile("lever", FakeLever, "lever", LEVER_POSTING, {}, {"api_key": LEVER_KEY},
                lever_form_answers, "lookup"),
        Profile("lever-postings", FakeLever, "lever", LEVER_POSTING, {"site": LEVER_SITE},
                {"postings_api_key": LEVER_POSTINGS_KEY}, lever_postings_answers, "resend"),
        Profile("ashby", FakeAshby, "ashby", ASHBY_POSTING, {}, {"api_key": ASHBY_KEY},
                ashby_form, "lookup"),
        Profile("personio", FakePersonio, "personio", PERSONIO_JOB,
                {"company": PERSONIO_COMPANY, "company_id": PERSONIO_COMPANY_ID},
                PERSONIO_CLIENT, personio_form, "resend"),
        Profile("teamtailor", FakeTeamtailor, "teamtailor", TT_JOB, {}, {"api_key": TT_KEY},
                teamtailor_form, "lookup"),
        Profile("workable", FakeWorkable, "workable", WK_JOB, {"subdomain": WK_SUBDOMAIN},
                {"access_token": WK_TOKEN}, workable_answers, "lookup"),
        Profile("recruitee", FakeRecruitee, "recruitee", RC_SLUG, {"company": RC_COMPANY}, {},
                recruitee_answers, "fail"),
        Profile("recruitee-ats-api", FakeRecruitee, "recruitee", RC_SLUG,
                {"company": RC_COMPANY, "company_id": RC_COMPANY_ID}, {"api_token": RC_TOKEN},
                recruitee_answers, "fail"),
        Profile("smartrecruiters", FakeSmartRecruiters, "smartrecruiters", SR_POSTING,
                {"company_identifier": SR_COMPANY}, {"api_key": SR_KEY}, smartrecruiters_form,
                "fail"),
    )
}  # fmt: skip


@pytest.fixture
async def ats_pipeline(
    request: pytest.FixtureRequest, database_url: str, clock: ManualClock, private_network: None
) -> AsyncIterator[Pipeline]:
    """The pipeline for the profile named by the test's parameter, against its fake."""
    profile = PROFILES[request.param]
    async with (
        running(profile.fake(clock=clock)) as fake,
        started_pipeline(
            database_url, fake, clock, mode=profile.mode, job_id=profile.job_id,
            settings=profile.settings, credentials=profile.credentials,
            form_for=profile.form_for,
        ) as pipeline,
    ):  # fmt: skip
        yield pipeline


def email_of(n: int = 0) -> str:
    """Candidate `n`'s email: the reference the fakes keep applications by."""
    return f"jane.{SENTINEL}.{n}@example.org"


__all__ = [
    "PROFILES",
    "FakeAshby",
    "FakeGreenhouse",
    "FakeLever",
    "Profile",
    "Step",
    "ashby_form",
    "greenhouse_form",
    "greenhouse_harvest_form",
    "lever_form_answers",
    "lever_postings_answers",
]  # fmt: skip
