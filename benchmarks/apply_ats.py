"""A fake ATS that takes applications, on loopback, and a connector that submits to it.

The ATS serves one job with a question of every type, takes applications with
`POST /v1/jobs/{id}/applications` (JSON, files base64) and finds them again by email with
`GET /v1/jobs/{id}/applications?email=` (the lookup after an ambiguous outcome). Each POST
follows the next step of a script, if one was given: answer an error, record and then hang
past the client's timeout, answer 200 with an error body, reject with field errors. It can
enforce a rate limit (429 above N POSTs in any second) and add latency. It records every
application it keeps, so a test or benchmark can count each one: none lost, none twice.

`ScriptedAts` is what the fake shares with the fakes of real ATS in the tests (script,
rate limit, latency, the record of what was kept). In a test:
`async with running_apply_ats() as ats:` (same event loop). As a process for
the benchmark: `python -m benchmarks.apply_ats --latency 0.05 --limit 10` prints its URL,
`RemoteApplyAts` reads its counts; it stops when its stdin closes or after `--lifetime`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib.metadata import EntryPoint
from typing import Any, ClassVar, TypeVar

import httpx
from embloy_ats import Connector, ConnectorSettings, Job, RateLimitPolicy, Registry
from embloy_ats.applications import (
    AnswerValue,
    Application,
    Receipt,
    SubmitAmbiguous,
    SubmitRejected,
    SubmitRetryable,
)
from embloy_ats.clock import SYSTEM_CLOCK, Clock
from embloy_ats.model import Question, QuestionCategory, QuestionOption, QuestionType
from embloy_ats.registry import ENTRY_POINT_GROUP
from embloy_ats.service.runner import serving
from embloy_ats.validation import NUMERIC_ID
from pydantic import Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MODE = "applyats"
JOB_ID = "42"
QUESTIONS = (
    Question(id="name", label="Full name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="email", label="Email", type=QuestionType.EMAIL, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="phone", label="Phone", type=QuestionType.PHONE),
    Question(id="resume", label="Resume", type=QuestionType.FILE, required=True,
             accepted_file_types=(".pdf", ".docx", ".txt")),
    Question(id="letter", label="Cover letter", type=QuestionType.LONG_TEXT),
    Question(id="permit", label="Allowed to work here?", type=QuestionType.YES_NO,
             required=True),
    Question(id="start", label="Start", type=QuestionType.SINGLE_CHOICE,
             options=(QuestionOption(id="s1", label="At once"),
                      QuestionOption(id="s2", label="In a month"))),
    Question(id="languages", label="Languages", type=QuestionType.MULTIPLE_CHOICE,
             options=(QuestionOption(id="en", label="English"),
                      QuestionOption(id="de", label="German"),
                      QuestionOption(id="fr", label="French"))),
    Question(id="years", label="Years of experience", type=QuestionType.NUMBER),
    Question(id="available", label="Available from", type=QuestionType.DATE),
    Question(id="profile", label="LinkedIn", type=QuestionType.LINK),
    Question(id="city", label="Where do you live?", type=QuestionType.LOCATION),
)  # fmt: skip
_MAX_BODY = 64 * 1024 * 1024


@dataclass
class Step:
    """What a fake ATS does with one application POST."""

    #: the answer's status; None: the ATS's own success status.
    status: int | None = None
    #: keep the application (False: it is lost on the ATS's side, as a 503 means).
    record: bool = True
    #: seconds to wait, once recorded, before answering (past the client's timeout).
    hang: float = 0.0
    retry_after: float | None = None
    #: the answer's body instead of the success body.
    body: dict[str, Any] | None = None


@dataclass
class Kept:
    """An application the fake ATS recorded."""

    ats_id: str
    #: what tells the test's applications apart: Embloy's id, or the candidate's email.
    reference: str
    job_id: str
    email: str
    answers: dict[str, Any]
    files: list[dict[str, Any]]
    #: the Authorization header (or key) it came with.
    auth: str | None = None
    #: when the ATS recorded it (ISO 8601, UTC), as its lookups answer it.
    created_at: str = ""


@dataclass
class ScriptedAts:
    """What every fake ATS that takes applications shares: the script of faults its
    application POSTs follow, a rate limit, added latency, and the record of what it kept
    (`kept`), received (`post_times`) and was asked (`lookups`). A fake declares its routes
    (`routes()`) and, in its POST handler, calls `admit()`, then `settle()`."""

    latency: float = 0.0
    #: POSTs allowed in any one second; more get a 429 with Retry-After 1.
    limit_per_second: int | None = None
    script: deque[Step] = field(default_factory=deque)
    kept: list[Kept] = field(default_factory=list)
    #: monotonic receive time of every POST.
    post_times: list[float] = field(default_factory=list)
    #: wall time each POST's sender stamped on it as it sent it (the connector does).
    sent_times: list[float] = field(default_factory=list)
    lookups: int = 0
    rate_limited: int = 0
    url: str = ""
    #: the ATS's clock: when it says it recorded an application (`stamp()`).
    clock: Clock = SYSTEM_CLOCK
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _posted: asyncio.Event = field(default_factory=asyncio.Event)
    #: set as the fake stops: a request still hanging is answered at once.
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    #: the ATS's status for an application it kept.
    success_status: ClassVar[int] = 201

    def __post_init__(self) -> None:
        self.app = Starlette(
            routes=[
                *self.routes(),
                Route("/__fake/stats", self._stats, methods=["GET"]),
                Route("/__fake/reset", self._reset, methods=["POST"]),
            ]
        )

    def routes(self) -> list[Route]:
        raise NotImplementedError

    # -- what tests read ------------------------------------------------------------------

    def times_kept(self) -> Counter[str]:
        """How often each application (by its reference) was recorded: 1 each, or a
        duplicate."""
        return Counter(kept.reference for kept in self.kept)

    def then(self, *steps: Step) -> None:
        self.script.extend(steps)

    async def posted(self, count: int = 1) -> None:
        """Return once `count` application POSTs have arrived (in this process)."""
        while len(self.post_times) < count:
            self._posted.clear()
            await self._posted.wait()

    def stats(self) -> dict[str, Any]:
        kept = self.times_kept()
        return {
            "posts": len(self.post_times),
            "kept": len(self.kept),
            "distinct": len(kept),
            "duplicates": sum(count - 1 for count in kept.values()),
            "lookups": self.lookups,
            "rate_limited": self.rate_limited,
            "post_times": self.post_times,
            "sent_times": self.sent_times,
        }

    def reset(self) -> None:
        self.script.clear()
        self.kept.clear()
        self.post_times.clear()
        self.sent_times.clear()
        self.lookups = self.rate_limited = 0

    # -- for a fake's POST handler ----------------------------------------------------------

    def next_id(self) -> int:
        return next(self._ids)

    def stamp(self) -> str:
        """Now on the ATS's clock, ISO 8601 in UTC, as its records say when they were made."""
        return self.clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def admit(self) -> Response | None:
        """Count an application POST; the 429 to answer when it is over the rate limit."""
        now = time.monotonic()
        self.post_times.append(now)
        self._posted.set()
        if self.limit_per_second is not None:
            recent = sum(1 for t in self.post_times if now - t < 1.0)
            if recent > self.limit_per_second:
                self.rate_limited += 1
                return JSONResponse(
                    self.rate_limited_body(), status_code=429, headers={"Retry-After": "1"}
                )
        return None

    def rate_limited_body(self) -> dict[str, Any]:
        return {"ok": False, "error": "too many requests"}

    def keep(self, kept: Kept) -> Kept:
        """Record an application; a fake whose ATS merges duplicates returns the first."""
        self.kept.append(kept)
        return kept

    async def settle(
        self,
        step: Step,
        kept: Kept | None,
        success: Callable[[Kept], dict[str, Any]],
        *,
        keep: Callable[[Kept], Kept] | None = None,
        success_status: int | None = None,
    ) -> Response:
        """Follow `step`: latency, keep `kept` (if the step records; `keep` instead of
        `self.keep` for an API that merges), hang, then answer the step's status and body,
        or the ATS's success (`success_status`, else the fake's) for what was kept."""
        if self.latency:
            await asyncio.sleep(self.latency)
        keeping = keep or self.keep
        recorded = keeping(kept) if step.record and kept is not None else None
        if step.hang:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), step.hang)
        headers = {"Retry-After": f"{step.retry_after:g}"} if step.retry_after is not None else {}
        if step.body is not None:
            content = step.body
        else:  # a step that does not record still answers success: the ATS lost it
            content = success(recorded or kept) if kept is not None else {}
        status = step.status if step.status is not None else success_status or self.success_status
        return JSONResponse(content, status_code=status, headers=headers)

    def next_step(self) -> Step:
        return self.script.popleft() if self.script else Step()

    async def _stats(self, request: Request) -> Response:
        return JSONResponse(self.stats())

    async def _reset(self, request: Request) -> Response:
        self.reset()
        return JSONResponse({"ok": True})


@dataclass
class ApplyAts(ScriptedAts):
    """The fake ATS of this module: JSON applications, a lookup by email."""

    def routes(self) -> list[Route]:
        return [
            Route("/v1/jobs/{job_id}", self._job, methods=["GET"]),
            Route("/v1/jobs/{job_id}/applications", self._apply, methods=["POST"]),
            Route("/v1/jobs/{job_id}/applications", self._find, methods=["GET"]),
        ]

    async def _job(self, request: Request) -> Response:
        job_id = request.path_params["job_id"]
        return JSONResponse(
            {"id": job_id, "title": "Delivery Engineer",
             "questions": [q.model_dump(mode="json") for q in QUESTIONS]}
        )  # fmt: skip

    async def _apply(self, request: Request) -> Response:
        refused = self.admit()
        if refused is not None:
            return refused
        body = await request.body()
        if len(body) > _MAX_BODY:
            return JSONResponse({"ok": False, "error": "too large"}, status_code=413)
        step = self.next_step()
        payload = json.loads(body)
        if isinstance(payload.get("sent_at"), float):
            self.sent_times.append(payload["sent_at"])
        kept = Kept(
            f"app_{self.next_id()}", str(payload.get("reference")), request.path_params["job_id"],
            str(payload.get("email")), payload.get("answers", {}), payload.get("files", []),
        )  # fmt: skip
        return await self.settle(
            step, kept, lambda kept: {"ok": True, "application": {"id": kept.ats_id}}
        )

    async def _find(self, request: Request) -> Response:
        self.lookups += 1
        email = request.query_params.get("email", "")
        job_id = request.path_params["job_id"]
        found = [{"id": k.ats_id} for k in self.kept if k.email == email and k.job_id == job_id]
        return JSONResponse({"ok": True, "applications": found})


ScriptedT = TypeVar("ScriptedT", bound=ScriptedAts)


@contextlib.asynccontextmanager
async def running(ats: ScriptedT) -> AsyncIterator[ScriptedT]:
    """`ats` started on 127.0.0.1, in this event loop. As it stops, a request that a step
    holds (`hang`) is answered at once: the server would otherwise wait for its end, and
    what the step recorded is kept already."""
    async with serving(ats.app) as url:
        ats.url = url
        try:
            yield ats
        finally:
            ats._stopping.set()


@contextlib.asynccontextmanager
async def running_apply_ats(**options: Any) -> AsyncIterator[ApplyAts]:
    """A started fake on 127.0.0.1, in this event loop."""
    async with running(ApplyAts(**options)) as ats:
        yield ats


class RemoteApplyAts:
    """The fake running in another process (`python -m benchmarks.apply_ats`)."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def stats(self) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.url, timeout=30, trust_env=False) as client:
            response = await client.get("/__fake/stats")
            response.raise_for_status()
            result: dict[str, Any] = response.json()
            return result

    async def reset(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=30, trust_env=False) as client:
            (await client.post("/__fake/reset")).raise_for_status()


# -- the connector ------------------------------------------------------------------------------


class ApplyAtsSettings(ConnectorSettings):
    #: the submissions per second the connector keeps to (shared by all workers).
    submits_per_second: int = Field(default=1000, ge=1)


def _wire(value: AnswerValue) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


class ApplyAtsConnector(Connector):
    """Submits to the fake ATS: one POST per attempt, the body read before it counts,
    and a lookup by email after an ambiguous outcome."""

    mode: ClassVar[str] = MODE
    display_name: ClassVar[str] = "Fake ATS that takes applications"
    settings_model = ApplyAtsSettings
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric"
    default_base_url = "https://apply-ats.example"
    rate_limit = RateLimitPolicy(1000, 1.0)
    supports_questions = True

    settings: ApplyAtsSettings

    @property
    def submit_rate_limit(self) -> RateLimitPolicy:
        return RateLimitPolicy(self.settings.submits_per_second, 1.0, "the fake's POST limit")

    async def load_job(self, job_id: str) -> Job:
        fetched = await self.get_json("/v1/jobs/{job_id}", job_id=job_id)
        return job_from(fetched.data, connector=self, fetched=[fetched])

    async def submit_application(self, job: Job, application: Application) -> Receipt:
        files = [
            {"question": question_id, "name": file.name, "content_type": file.content_type,
             "data": base64.b64encode(file.data).decode()}
            for question_id, parts in application.files.items()
            for file in parts
        ]  # fmt: skip
        body = {
            "reference": application.id,
            "email": application.answer_of_type(job, QuestionType.EMAIL),
            "answers": {key: _wire(value) for key, value in application.answers.items()},
            "files": files,
            "sent_at": time.time(),  # for the tests of the shared rate limit
        }
        fetched = await self.request_json(
            "POST", "/v1/jobs/{job_id}/applications", job_id=job.external_id,
            json_body=body, ok_statuses=frozenset({422}),
        )  # fmt: skip
        data = fetched.data if isinstance(fetched.data, dict) else {}
        if fetched.response.status_code == 422:
            reasons = data.get("errors")
            raise SubmitRejected(
                "refused the application (HTTP 422)",
                reasons={str(k): str(v) for k, v in reasons.items()}
                if isinstance(reasons, dict)
                else None,
                connector=self.mode, job_id=job.external_id, status_code=422,
            )  # fmt: skip
        if data.get("ok") is not True:
            raise SubmitRetryable(
                f"answered HTTP {fetched.response.status_code} with a body saying the "
                "application was not saved",
                connector=self.mode, job_id=job.external_id,
                status_code=fetched.response.status_code,
            )  # fmt: skip
        found = data.get("application")
        ats_id = found.get("id") if isinstance(found, dict) else None
        if not isinstance(ats_id, str):
            raise SubmitAmbiguous(
                "answered success without the application's id",
                connector=self.mode, job_id=job.external_id,
            )  # fmt: skip
        return Receipt(ats_application_id=ats_id)

    async def find_application(self, job: Job, application: Application) -> Receipt | None:
        email = application.answer_of_type(job, QuestionType.EMAIL)
        if not isinstance(email, str):
            return None
        fetched = await self.get_json(
            "/v1/jobs/{job_id}/applications", job_id=job.external_id, params={"email": email}
        )
        data = fetched.data if isinstance(fetched.data, dict) else {}
        found = data.get("applications")
        if isinstance(found, list) and found and isinstance(found[0], dict):
            ats_id = found[0].get("id")
            return Receipt(ats_application_id=str(ats_id)) if ats_id else Receipt()
        return None


def job_from(data: Any, *, connector: Connector, fetched: list[Any]) -> Job:
    return connector.new_job(
        external_id=str(data["id"]),
        fetched=fetched,
        title=str(data["title"]),
        questions=tuple(Question.model_validate(q) for q in data["questions"]),
    )


def registry_with_apply_ats(registry: Registry | None = None) -> Registry:
    """`registry` (default: the installed connectors) plus this fake's connector."""
    registry = registry or Registry.discover()
    registry.entry_points[MODE] = [
        EntryPoint(name=MODE, value="benchmarks.apply_ats:ApplyAtsConnector",
                   group=ENTRY_POINT_GROUP)
    ]  # fmt: skip
    return registry


async def _serve_until_stopped(options: dict[str, Any], lifetime: float) -> None:
    from benchmarks.fake_ats import stdin_closed

    async with running_apply_ats(**options) as ats:
        print(ats.url, flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stdin_closed().wait(), lifetime)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake ATS taking applications on 127.0.0.1.")
    parser.add_argument("--lifetime", type=float, default=900.0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--limit", type=int, default=None, help="POSTs allowed per second")
    args = parser.parse_args(argv)
    options = {"latency": args.latency, "limit_per_second": args.limit}
    asyncio.run(_serve_until_stopped(options, args.lifetime))


__all__ = [
    "MODE", "QUESTIONS", "ApplyAts", "ApplyAtsConnector", "Kept", "RemoteApplyAts",
    "ScriptedAts", "Step", "running",
]  # fmt: skip

if __name__ == "__main__":
    main()
