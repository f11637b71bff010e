"""A fake Recruitee careers site that takes applications, on loopback.

It serves one offer (`GET /api/offers/{slug}`, the shape of the careers-site API's recorded
answers, values ours) and takes candidates with `POST /api/offers/{slug}/candidates` as
JSON or `multipart/form-data` (form keys nested the way form posts nest them), answering
`201 {"candidate": {"id", ...}}` as the recorded answer does. It has no way to read
candidates back, as the careers-site API has none. Application POSTs follow
`benchmarks.apply_ats.Step` scripts.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from embloy_ats.applications import UploadedFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from benchmarks.apply_ats import Kept, ScriptedAts
from tests.applications.conftest import PDF, SENTINEL, Form

RC_COMPANY = "acme"
RC_SLUG = "delivery-engineer"
RC_COMPANY_ID = "31337"
RC_TOKEN = "rc-personal-token-stand-in-5a1c"
RC_SAMPLE = f"portfolio {SENTINEL}-portfolio".encode()
#: the open questions: (id, kind, body, options)
RC_QUESTIONS = [
    (7101, "string", "When could you start?", []),
    (7102, "text", "Why do you want to join us?", []),
    (7103, "boolean", "Are you authorised to work in Germany?", []),
    (7104, "single_choice", "How did you hear about us?",
     [(8101, "LinkedIn"), (8102, "Referral")]),
    (7105, "multi_choice", "Which languages do you speak?",
     [(8201, "English"), (8202, "German"), (8203, "French")]),
    (7106, "date", "Earliest start date?", []),
    (7107, "file", "A work sample", []),
    (7108, "legal", "I agree that my data is kept for 12 months.", []),
]  # fmt: skip


def recruitee_offer() -> dict[str, Any]:
    """`GET /api/offers/{slug}`'s `offer`."""
    return {
        "id": 2760001, "slug": RC_SLUG, "guid": "x7k2p", "title": "Delivery Engineer",
        "status": "published", "kind": "job", "company_name": "Acme",
        "description": "<p>Deliver every application once.</p>", "requirements": "",
        "careers_url": f"https://{RC_COMPANY}.recruitee.com/o/{RC_SLUG}",
        "careers_apply_url": f"https://{RC_COMPANY}.recruitee.com/o/{RC_SLUG}/c/new",
        "location": "Berlin, Germany", "city": "Berlin", "country_code": "DE",
        "remote": False, "hybrid": True, "on_site": False,
        "published_at": "2026-10-01 09:00:00 UTC", "updated_at": "2026-11-02 09:00:00 UTC",
        "options_cv": "required", "options_cover_letter": "optional",
        "options_phone": "optional", "options_photo": "optional",
        "location_question_visible": False,
        "open_questions": [
            {"id": ident, "kind": kind, "required": False, "position": position,
             "body": body,
             "open_question_options": [{"id": o, "body": b, "position": i}
                                       for i, (o, b) in enumerate(options)]}
            for position, (ident, kind, body, options) in enumerate(RC_QUESTIONS)
        ],
    }  # fmt: skip


def recruitee_answers(n: int = 0, **answers: list[str]) -> Form:
    """Candidate `n`'s application to the offer, every question answered."""
    fields = {
        "answer.name": [f"Jane {SENTINEL}name Doe"],
        "answer.email": [f"jane.{SENTINEL}.{n}@example.org"],
        "answer.phone": ["+49 30 1234 5678"],
        "answer.cover_letter": [f"Dear team, {SENTINEL}letter"],
        "answer.7101": ["In a month"],
        "answer.7102": [f"Because. {SENTINEL}why"],
        "answer.7103": ["yes"],
        "answer.7104": ["8102"],
        "answer.7105": ["8201", "8203"],
        "answer.7106": ["2027-01-15"],
        "answer.7108": ["yes"],
    }
    fields.update({f"answer.{key}": value for key, value in answers.items()})
    files = {
        "answer.cv": [UploadedFile(f"{SENTINEL}-cv.pdf", "application/pdf", PDF)],
        "answer.7107": [UploadedFile(f"{SENTINEL}-sample.txt", "text/plain", RC_SAMPLE)],
    }
    return fields, files


_KEY = re.compile(r"\[([^\]]*)\]")


def nest(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Form keys as a form post nests them: `a[b][0][c]` -> `{"a": {"b": [{"c": ...}]}}`,
    `a[]` repeated -> a list."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        path = [key.split("[", 1)[0], *_KEY.findall(key)]
        repeated = path[-1] == ""
        if repeated:
            path.pop()
        node = root
        for part in path[:-1]:
            node = node.setdefault(part, {})
        if repeated:
            node.setdefault(path[-1], []).append(value)
        else:
            node[path[-1]] = value
    nested: dict[str, Any] = _indexed_lists(root)
    return nested


def _indexed_lists(value: Any) -> Any:
    if isinstance(value, dict):
        if value and all(key.isdigit() for key in value):
            return [_indexed_lists(value[key]) for key in sorted(value, key=int)]
        return {key: _indexed_lists(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_indexed_lists(item) for item in value]
    return value


async def multipart_pairs(request: Request) -> list[tuple[str, Any]]:
    """Every part of a `multipart/form-data` body, in order: text as text, a file as
    `{"name", "content_type", "data"}`."""
    raw = await request.body()
    kind = request.headers.get("content-type", "")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {kind}\r\n\r\n".encode() + raw
    )
    pairs: list[tuple[str, Any]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        assert isinstance(name, str)
        assert isinstance(data, bytes)
        filename = part.get_filename()
        if filename is None:
            pairs.append((name, data.decode()))
        else:
            pairs.append((name, {"name": filename, "content_type": part.get_content_type(),
                                 "data": data}))  # fmt: skip
    return pairs


@dataclass
class FakeRecruitee(ScriptedAts):
    """The careers-site API: the offer, and candidates posted to it (no credentials)."""

    success_status: ClassVar[int] = 201
    #: the Content-Type each application POST came with.
    content_types: list[str] | None = None

    def routes(self) -> list[Route]:
        return [
            Route("/api/offers/{offer}", self._offer, methods=["GET"]),
            Route("/api/offers/{offer}/candidates", self._apply, methods=["POST"]),
            Route("/c/{company_id}/offers/{offer}", self._ats_offer, methods=["GET"]),
        ]

    async def _ats_offer(self, request: Request) -> Response:
        """The ATS API's offer (Bearer token), for a tenant that reads jobs through it."""
        if request.headers.get("authorization") != f"Bearer {RC_TOKEN}":
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        if request.path_params["company_id"] != RC_COMPANY_ID:
            return JSONResponse({"error": "Not found"}, status_code=404)
        return await self._offer(request)

    async def _offer(self, request: Request) -> Response:
        if request.path_params["offer"] not in (RC_SLUG, "2760001"):
            return JSONResponse({"error": "Not found"}, status_code=404)
        return JSONResponse({"offer": recruitee_offer()})

    async def _apply(self, request: Request) -> Response:
        refused = self.admit()
        if refused is not None:
            return refused
        step = self.next_step()
        kind = request.headers.get("content-type", "")
        if self.content_types is None:
            self.content_types = []
        self.content_types.append(kind.split(";", 1)[0])
        if kind.startswith("multipart/form-data"):
            sent = nest(await multipart_pairs(request))
        else:
            sent = json.loads(await request.body())
        candidate = sent.get("candidate", {})
        files = [
            {"field": key, **value} for key, value in candidate.items() if isinstance(value, dict)
        ]
        for answer in candidate.get("open_question_answers_attributes", []):
            if isinstance(answer.get("file"), dict):
                files.append({"field": str(answer["open_question_id"]), **answer["file"]})
        address = str(candidate.get("email"))
        kept = Kept(
            str(51359000 + self.next_id()), address, request.path_params["offer"], address,
            sent, files, request.headers.get("authorization"), self.stamp(),
        )  # fmt: skip
        return await self.settle(step, kept, lambda kept: {"candidate": {
            "id": int(kept.ats_id), "name": "stand-in", "emails": [kept.email],
            "created_at": kept.created_at, "open_question_answers": [],
        }})  # fmt: skip
