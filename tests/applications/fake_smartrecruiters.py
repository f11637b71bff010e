"""A fake SmartRecruiters that takes applications, on loopback.

It serves one posting (Posting API), its screening questions and privacy policy
(`GET /postings/{uuid}/configuration`, with `X-SmartToken`), and takes applications with
`POST /postings/{uuid}/candidates` (JSON, files base64), answering the new candidate's `id`.
Shapes as docs/connectors/smartrecruiters.md describes them; values ours. Application POSTs
follow `benchmarks.apply_ats.Step` scripts, like the other fakes in `ats_fakes`.
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

SR_COMPANY = "AcmeLogistics"
SR_POSTING = "744000555000111"
SR_UUID = "3c9d2e41-7a6b-4f08-9e15-2b8c4d6f0a93"
SR_KEY = "sr-token-stand-in-6f2a9c"
#: screening questions: (question id, [(field id, type, label, required, options)])
SR_QUESTIONS = [
    ("q-permit", [("f1", "RADIO", "Are you allowed to work in Germany?", True,
                   [("yes", "Yes"), ("no", "No")])]),
    ("q-shifts", [("info", "INFORMATION", "We work in three shifts.", False, []),
                  ("f2", "MULTI_SELECT", "Which shifts suit you?", False,
                   [("early", "Early"), ("late", "Late"), ("night", "Night")]),
                  ("f3", "INPUT_TEXT", "Earliest start", False, [])]),
    ("q-forklift", [("f4", "CHECKBOX", "I hold a forklift licence", False, []),
                    ("f5", "SINGLE_SELECT", "Warehouse experience", True,
                     [("none", "None"), ("some", "1-3 years"), ("lots", "More")]),
                    ("f6", "TEXTAREA", "Tell us about yourself", False, [])]),
    ("q-diversity", [("gender", "SINGLE_SELECT", "Gender", False,
                      [("f", "Female"), ("m", "Male"), ("x", "Rather not say")])]),
]  # fmt: skip


def smartrecruiters_posting() -> dict[str, Any]:
    return {
        "id": SR_POSTING, "uuid": SR_UUID, "name": "Warehouse Operative", "refNumber": "REF9001",
        "company": {"name": "Acme Logistics", "identifier": SR_COMPANY},
        "location": {"city": "Berlin", "country": "de", "remote": False, "hybrid": False,
                     "fullLocation": "Berlin, , Germany"},
        "releasedDate": "2026-11-02T09:00:00.000Z", "active": True, "visibility": "PUBLIC",
        "typeOfEmployment": {"id": "permanent", "label": "Full-time"},
        "jobAd": {"sections": {"jobDescription": {"title": "Job Description",
                                                  "text": "<p>Deliver every parcel once.</p>"}}},
        "postingUrl": f"https://jobs.smartrecruiters.com/{SR_COMPANY}/{SR_POSTING}-warehouse",
        "applyUrl": f"https://jobs.smartrecruiters.com/{SR_COMPANY}/{SR_POSTING}-warehouse?oga=true",
        "language": {"code": "en"},
    }  # fmt: skip


def smartrecruiters_configuration() -> dict[str, Any]:
    return {
        "questions": [
            {"id": qid, "label": fields[-1][2], "repeatable": False, "fields": [
                {"id": fid, "label": label, "type": kind, "required": required,
                 **({"complianceType": "DIVERSITY"} if qid == "q-diversity" else {}),
                 **({"values": [{"id": v, "label": t} for v, t in options]} if options else {})}
                for fid, kind, label, required, options in fields
            ]}
            for qid, fields in SR_QUESTIONS
        ],
        "settings": {"avatarUploadAvailable": False, "conditionals": []},
        "privacyPolicies": [{"url": "https://acme-logistics.example/privacy",
                             "orgName": "Acme Logistics"}],
    }  # fmt: skip


LETTER = f"cover letter {SENTINEL}-letter".encode()


def smartrecruiters_form(n: int = 0, **answers: list[str]) -> Form:
    fields = {
        "answer.firstName": [f"Jane{SENTINEL}first"],
        "answer.lastName": [f"Doe{SENTINEL}last"],
        "answer.email": [f"jane.{SENTINEL}.{n}@example.org"],
        "answer.phoneNumber": ["+49 30 1234 5678"],
        "answer.messageToHiringManager": [f"Hello. {SENTINEL}hello"],
        "answer.q-permit.f1": ["yes"],
        "answer.q-shifts.f2": ["early", "night"],
        "answer.q-shifts.f3": ["next month"],
        "answer.q-forklift.f4": ["yes"],
        "answer.q-forklift.f5": ["some"],
        "answer.q-forklift.f6": [f"Because. {SENTINEL}why"],
        "answer.q-diversity.gender": ["x"],
        "answer.consentDecisions.SINGLE": ["yes"],
    }
    fields.update({f"answer.{key}": value for key, value in answers.items()})
    files = {
        "answer.resume": [UploadedFile(f"{SENTINEL}-cv.pdf", "application/pdf", PDF)],
        "answer.attachments": [UploadedFile(f"{SENTINEL}-letter.pdf", "application/pdf",
                                            b"%PDF-1.7\n% " + LETTER + b"\n%%EOF\n")],
    }  # fmt: skip
    return fields, files


@dataclass
class FakeSmartRecruiters(ScriptedAts):
    """Posting API, the configuration and the Application API's candidate POST."""

    success_status: ClassVar[int] = 201

    def routes(self) -> list[Route]:
        return [
            Route("/v1/companies/{company}/postings/{posting_id}", self._posting, methods=["GET"]),
            Route("/postings/{uuid}/configuration", self._configuration, methods=["GET"]),
            Route("/postings/{uuid}/candidates", self._apply, methods=["POST"]),
        ]

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("x-smarttoken") == SR_KEY

    def rate_limited_body(self) -> dict[str, Any]:
        return {"message": "Too many requests"}

    async def _posting(self, request: Request) -> Response:
        params = request.path_params
        if (params["company"], params["posting_id"]) != (SR_COMPANY, SR_POSTING):
            return Response(status_code=404)
        return JSONResponse(smartrecruiters_posting())

    async def _configuration(self, request: Request) -> Response:
        if not self._authorised(request):
            return Response(status_code=401)
        if request.path_params["uuid"] != SR_UUID:
            return Response(status_code=404)
        return JSONResponse(smartrecruiters_configuration())

    async def _apply(self, request: Request) -> Response:
        refused = self.admit()
        if refused is not None:
            return refused
        step = self.next_step()
        if not self._authorised(request):
            return JSONResponse({"message": "Unauthorized"}, status_code=401)
        if request.path_params["uuid"] != SR_UUID:
            return Response(status_code=404)
        sent = json.loads(await request.body())
        documents = [("resume", sent["resume"])] if "resume" in sent else []
        documents += [("attachments", item) for item in sent.get("attachments", [])]
        files = [
            {"field": field, "name": item["fileName"], "content_type": item["mimeType"],
             "data": base64.b64decode(item["fileContent"])}
            for field, item in documents
        ]  # fmt: skip
        answers = {k: v for k, v in sent.items() if k not in {"resume", "attachments"}}
        address = str(sent.get("email"))
        kept = Kept(
            f"c0ffee00-0000-4000-8000-{self.next_id():012d}", address, request.path_params["uuid"],
            address, answers, files, request.headers.get("x-smarttoken"), self.stamp(),
        )  # fmt: skip
        return await self.settle(step, kept, lambda kept: {"id": kept.ats_id})


__all__ = [
    "SR_COMPANY",
    "SR_KEY",
    "SR_POSTING",
    "SR_UUID",
    "FakeSmartRecruiters",
    "smartrecruiters_form",
]
