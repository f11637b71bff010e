"""A fake Personio on loopback: the career-site XML feed, the token endpoint, the Recruiting
API's document upload and its applications.

Shapes from Personio's docs (values ours): the feed `<workzag-jobs><position>...`, the upload
answer `{uuid, size, mimetype, original_filename, extension}`, an application answered 201
without a body, and a second application of one email to one position refused with
`errors.applicant-already-exists`. Application POSTs follow `benchmarks.apply_ats.Step`
scripts; every request to the Recruiting API is stamped with the ATS's clock
(`api_times`), uploads included, for the rate-limit test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from embloy_ats.applications import UploadedFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from benchmarks.apply_ats import Kept, ScriptedAts
from tests.applications.conftest import PDF, SENTINEL, Form

PERSONIO_COMPANY = "nordlicht"
PERSONIO_COMPANY_ID = "48213"
PERSONIO_JOB = "2604417"
PERSONIO_CLIENT = {
    "client_id": "personio-client-stand-in",
    "client_secret": "personio-secret-stand-in-6f0a",
}
PERSONIO_TOKEN = "personio-token-stand-in-c41d"
LETTER = b"%PDF-1.7\n% " + f"{SENTINEL}-letter".encode() + b"\n%%EOF\n"
ALREADY_EXISTS = {
    "errors": [{"field": "email", "errors": [{"reason": "errors.applicant-already-exists"}]}]
}


def personio_feed() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<workzag-jobs>\n<position>\n'
        f"    <id>{PERSONIO_JOB}</id>\n    <subcompany>Nordlicht Software GmbH</subcompany>\n"
        "    <office>Köln</office>\n    <department>Platform</department>\n"
        "    <name>Delivery Engineer (m/w/d)</name>\n    <jobDescriptions>\n"
        "        <jobDescription><name>Deine Aufgaben</name>\n"
        "            <value><![CDATA[<p>Deliver every application once.</p>]]></value>\n"
        "        </jobDescription>\n    </jobDescriptions>\n"
        "    <employmentType>permanent</employmentType>\n    <schedule>full-time</schedule>\n"
        "    <createdAt>2026-10-14T07:30:00+00:00</createdAt>\n</position>\n</workzag-jobs>\n"
    ).encode()


def personio_form(n: int = 0, **answers: list[str]) -> Form:
    fields = {
        "answer.first_name": [f"Jane {SENTINEL}first"],
        "answer.last_name": [f"Doe {SENTINEL}last"],
        "answer.email": [f"jane.{SENTINEL}.{n}@example.org"],
        "answer.phone": ["+49 30 1234 5678"],
        "answer.message": [f"I would like to work here. {SENTINEL}message"],
        "answer.available_from": ["2027-01-15"],
        "answer.salary_expectations": ["65000 EUR"],
    }
    fields.update({f"answer.{key}": value for key, value in answers.items()})
    files = {
        "answer.cv": [UploadedFile(f"{SENTINEL}-cv.pdf", "application/pdf", PDF)],
        "answer.cover-letter": [UploadedFile(f"{SENTINEL}-letter.pdf", "application/pdf", LETTER)],
    }
    return fields, files


@dataclass
class FakePersonio(ScriptedAts):
    """`GET /xml`, `POST /v2/auth/token`, `POST /v1/recruiting/applications/documents`
    (multipart `file`) and `POST /v1/recruiting/applications` (JSON)."""

    #: uploaded documents by uuid: (file name, content type, bytes).
    documents: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)
    uploads: int = 0
    tokens_issued: int = 0
    #: the ATS's clock at every request to the Recruiting API (uploads and applications).
    api_times: list[datetime] = field(default_factory=list)

    def routes(self) -> list[Route]:
        return [
            Route("/xml", self._feed, methods=["GET"]),
            Route("/v2/auth/token", self._token, methods=["POST"]),
            Route("/v1/recruiting/applications/documents", self._upload, methods=["POST"]),
            Route("/v1/recruiting/applications", self._apply, methods=["POST"]),
        ]

    def reset(self) -> None:
        super().reset()
        self.documents.clear()
        self.api_times.clear()
        self.uploads = 0

    def _authorised(self, request: Request) -> bool:
        return (
            request.headers.get("authorization") == f"Bearer {PERSONIO_TOKEN}"
            and request.headers.get("x-company-id") == PERSONIO_COMPANY_ID
        )

    def rate_limited_body(self) -> dict[str, Any]:
        return {"errors": [{"field": None, "errors": [{"reason": "errors.too-many-requests"}]}]}

    async def _feed(self, request: Request) -> Response:
        return Response(personio_feed(), media_type="application/xml")

    async def _token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        wanted = {"grant_type": "client_credentials", **PERSONIO_CLIENT}
        if any(form.get(key) != value for key, value in wanted.items()):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        self.tokens_issued += 1
        return JSONResponse(
            {"access_token": PERSONIO_TOKEN, "token_type": "Bearer", "expires_in": 86400}
        )

    async def _upload(self, request: Request) -> Response:
        from tests.applications.ats_fakes import multipart

        self.api_times.append(self.clock.now())
        if not self._authorised(request):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        _, files = await multipart(request)
        (part,) = files
        assert part["field"] == "file"
        self.uploads += 1
        uuid = f"66121e48-2a2d-4158-a21d-{self.next_id():012d}"
        self.documents[uuid] = (part["name"], part["content_type"], part["data"])
        extension = part["name"].rsplit(".", 1)[-1]
        return JSONResponse({
            "extension": extension, "mimetype": part["content_type"],
            "original_filename": part["name"], "uuid": uuid, "size": len(part["data"]),
        })  # fmt: skip

    async def _apply(self, request: Request) -> Response:
        self.api_times.append(self.clock.now())
        refused = self.admit()
        if refused is not None:
            return refused
        step = self.next_step()
        if not self._authorised(request):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        payload = json.loads(await request.body())
        address = str(payload.get("email"))
        position = str(payload.get("job_position_id"))
        if any(k.email == address and k.job_id == position for k in self.kept):
            return JSONResponse(ALREADY_EXISTS, status_code=400)
        files = []
        for item in payload.get("files", []):
            if item["uuid"] not in self.documents:
                return JSONResponse(
                    {"errors": [{"field": "files", "errors": [{"reason": "errors.invalid"}]}]},
                    status_code=400,
                )
            name, kind, data = self.documents[item["uuid"]]
            files.append({
                "field": item["category"], "name": name, "content_type": kind, "data": data,
                "original_filename": item["original_filename"],
            })  # fmt: skip
        kept = Kept(
            f"personio-{self.next_id()}", address, position, address, payload, files,
            request.headers.get("authorization"), self.stamp(),
        )  # fmt: skip
        response = await self.settle(step, kept, lambda kept: {}, success_status=201)
        if response.status_code == 201 and step.body is None:
            return Response(status_code=201)  # Personio documents no body
        return response


__all__ = [
    "PERSONIO_CLIENT",
    "PERSONIO_COMPANY",
    "PERSONIO_COMPANY_ID",
    "PERSONIO_JOB",
    "FakePersonio",
    "personio_form",
]
