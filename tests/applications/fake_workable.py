"""A fake Workable SPI v3 that takes applications, on loopback.

It serves one job and its application form (the shapes of Workable's documented and
recorded answers, values ours), takes candidates with `POST /spi/v3/jobs/{shortcode}/
candidates` (JSON, files base64) and lists them by email and shortcode with `GET
/spi/v3/candidates`. Like Workable (per the client code quoted in NOTES-apply), a second
create of one email on one job is refused with a 422 whose `validation_errors.email` says
"candidate already exists". Application POSTs follow `benchmarks.apply_ats.Step` scripts.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from embloy_ats.applications import UploadedFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from benchmarks.apply_ats import Kept, ScriptedAts
from tests.applications.conftest import PDF, SENTINEL, Form

WK_SUBDOMAIN = "acme"
WK_JOB = "7D2E9A41C3"
WK_TOKEN = "wk-account-token-stand-in-0e4f"
WK_SAMPLE = f"portfolio {SENTINEL}-portfolio".encode()
#: the custom questions: (id, type, body, single_answer, choices)
WK_QUESTIONS = [
    ("c4a101", "free_text", "Why do you want to join us?", None, []),
    ("c4a102", "boolean", "Are you authorised to work in Germany?", None, []),
    ("c4a103", "multiple_choice", "Which languages do you speak?", False,
     [("d01", "English"), ("d02", "German"), ("d03", "French")]),
    ("c4a104", "multiple_choice", "How much experience do you have?", True,
     [("d11", "Up to 5 years"), ("d12", "Over 5 years")]),
    ("c4a105", "dropdown", "How did you hear about this position?", True,
     [("d21", "LinkedIn"), ("d22", "Referral")]),
    ("c4a106", "numeric", "Years of Python?", None, []),
    ("c4a107", "date", "Earliest start date?", None, []),
    ("c4a108", "file", "A work sample", None, []),
]  # fmt: skip


def workable_job() -> dict[str, Any]:
    """`GET /spi/v3/jobs/{shortcode}`."""
    return {
        "id": "61f0a2", "title": "Delivery Engineer", "full_title": "Delivery Engineer - BE/7",
        "shortcode": WK_JOB, "code": "BE/7", "state": "published", "confidential": False,
        "department": "Platform", "department_hierarchy": [],
        "url": f"https://{WK_SUBDOMAIN}.workable.com/jobs/4410",
        "application_url": f"https://{WK_SUBDOMAIN}.workable.com/jobs/4410/candidates/new",
        "shortlink": f"https://apply.workable.com/j/{WK_JOB}",
        "workplace_type": "hybrid",
        "location": {"country": "Germany", "country_code": "DE", "region": "Berlin",
                     "region_code": "BE", "city": "Berlin", "zip_code": "10115",
                     "telecommuting": False, "workplace_type": "hybrid"},
        "created_at": "2026-10-01T00:00:00Z", "updated_at": "2026-11-02T09:00:00Z",
        "full_description": "<p>Deliver every application once.</p>",
        "employment_type": "Full-time",
    }  # fmt: skip


def workable_form() -> dict[str, Any]:
    """`GET /spi/v3/jobs/{shortcode}/application_form`: standard fields and questions."""
    return {
        "form_fields": [
            {"key": "phone", "label": "Phone", "type": "string", "required": False,
             "max_length": 255},
            {"key": "address", "label": "Address", "type": "string", "required": False},
            {"key": "avatar", "label": "Photo", "type": "file",
             "supported_file_types": ["jpg", "jpeg", "gif", "png"], "max_file_size": 5242880,
             "required": False},
            {"key": "summary", "label": "Summary", "type": "free_text", "required": False},
            {"key": "resume", "label": "Resume", "type": "file",
             "supported_file_types": ["pdf", "doc", "docx", "odt", "rtf"],
             "max_file_size": 5242880, "required": True},
            {"key": "cover_letter", "label": "Cover letter", "type": "free_text",
             "required": False},
        ],
        "questions": [
            {"id": ident, "body": text, "type": kind, "required": False,
             **({"single_answer": single} if single is not None else {}),
             **({"choices": [{"id": c, "body": b} for c, b in choices]} if choices else {}),
             **({"supported_file_types": ["pdf", "txt"], "max_file_size": 5242880}
                if kind == "file" else {})}
            for ident, kind, text, single, choices in WK_QUESTIONS
        ],
    }  # fmt: skip


def workable_answers(n: int = 0, **answers: list[str]) -> Form:
    """Candidate `n`'s application to the job, every question answered."""
    fields = {
        "answer.firstname": [f"Jane{SENTINEL}first"],
        "answer.lastname": [f"Doe{SENTINEL}last"],
        "answer.email": [f"jane.{SENTINEL}.{n}@example.org"],
        "answer.phone": ["+49 30 1234 5678"],
        "answer.address": ["Berlin, Germany"],
        "answer.summary": [f"Engineer. {SENTINEL}summary"],
        "answer.cover_letter": [f"Dear team, {SENTINEL}letter"],
        "answer.c4a101": [f"Because. {SENTINEL}why"],
        "answer.c4a102": ["yes"],
        "answer.c4a103": ["d01", "d03"],
        "answer.c4a104": ["d12"],
        "answer.c4a105": ["d22"],
        "answer.c4a106": ["7"],
        "answer.c4a107": ["2027-01-15"],
    }
    fields.update({f"answer.{key}": value for key, value in answers.items()})
    files = {
        "answer.resume": [UploadedFile(f"{SENTINEL}-cv.pdf", "application/pdf", PDF)],
        "answer.c4a108": [UploadedFile(f"{SENTINEL}-sample.txt", "text/plain", WK_SAMPLE)],
    }
    return fields, files


@dataclass
class FakeWorkable(ScriptedAts):
    """SPI v3: the job, its application form, candidate create (Bearer token) and the
    candidate list filtered by email and shortcode."""

    success_status: ClassVar[int] = 201

    def routes(self) -> list[Route]:
        return [
            Route("/spi/v3/jobs/{shortcode}", self._job, methods=["GET"]),
            Route("/spi/v3/jobs/{shortcode}/application_form", self._form, methods=["GET"]),
            Route("/spi/v3/jobs/{shortcode}/candidates", self._create, methods=["POST"]),
            Route("/spi/v3/candidates", self._candidates, methods=["GET"]),
        ]

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {WK_TOKEN}"

    def rate_limited_body(self) -> dict[str, Any]:
        return {"error": "Too many requests"}

    async def _job(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": "Not authorized"}, status_code=401)
        if request.path_params["shortcode"] != WK_JOB:
            return JSONResponse({"error": "Not found"}, status_code=404)
        return JSONResponse(workable_job())

    async def _form(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": "Not authorized"}, status_code=401)
        return JSONResponse(workable_form())

    async def _create(self, request: Request) -> Response:
        refused = self.admit()
        if refused is not None:
            return refused
        step = self.next_step()
        if not self._authorised(request):
            return JSONResponse({"error": "Not authorized"}, status_code=401)
        sent = json.loads(await request.body())
        candidate = sent.get("candidate", {})
        address = str(candidate.get("email"))
        shortcode = request.path_params["shortcode"]
        if step.record and any(k.email == address and k.job_id == shortcode for k in self.kept):
            return JSONResponse(
                {"error": "Validation failed",
                 "validation_errors": {"email": ["candidate already exists"]}},
                status_code=422,
            )  # fmt: skip
        files = []
        if "resume" in candidate:
            resume = candidate["resume"]
            files.append({"field": "resume", "name": resume["name"],
                          "data": base64.b64decode(resume["data"])})  # fmt: skip
        for answer in candidate.get("answers", []):
            if "data" in answer:
                files.append({"field": answer["question_key"],
                              "data": base64.b64decode(answer["data"])})  # fmt: skip
        kept = Kept(
            f"{self.next_id():x}e0c0de", address, shortcode, address, sent, files,
            request.headers.get("authorization"), self.stamp(),
        )  # fmt: skip
        return await self.settle(step, kept, lambda kept: {
            "status": "created",
            "candidate": {"id": kept.ats_id, "name": "stand-in", "stage": "Applied",
                          "sourced": sent.get("sourced") is not False,
                          "job": {"shortcode": kept.job_id, "title": "Delivery Engineer"},
                          "created_at": kept.created_at},
        })  # fmt: skip

    async def _candidates(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": "Not authorized"}, status_code=401)
        self.lookups += 1
        query = request.query_params
        found = [
            {"id": k.ats_id, "email": k.email, "stage": "Applied",
             "job": {"shortcode": k.job_id, "title": "Delivery Engineer"},
             "created_at": k.created_at}
            for k in self.kept
            if k.email == query.get("email") and k.job_id == query.get("shortcode")
        ]  # fmt: skip
        return JSONResponse({"candidates": found, "paging": {}})
