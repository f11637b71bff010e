"""Personio receives applications as its Recruiting API takes them: each document uploaded
first (multipart), then the application naming them (JSON); "applicant already exists" is
delivered, a 2xx with an error is not, and 20 requests a minute per company are kept by all
workers together, uploads included.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from embloy_ats import (
    ConfigurationError,
    HttpClient,
    Job,
    Question,
    QuestionOption,
    QuestionType,
)
from embloy_ats.applications import (
    Accepted,
    Application,
    ApplicationService,
    ApplicationStatus,
    FailureReason,
    InvalidApplication,
    Limits,
    SubmitAmbiguous,
    SubmitRejected,
    UploadedFile,
)
from embloy_ats.clock import SYSTEM_CLOCK
from embloy_ats_personio import PersonioConnector
from embloy_ats_personio import apply as personio_apply

from benchmarks.apply_ats import Kept, Step
from tests.applications import ats_fakes
from tests.applications.ats_fakes import email_of
from tests.applications.conftest import PDF, SENTINEL, Pipeline
from tests.applications.fake_personio import (
    ALREADY_EXISTS,
    LETTER,
    PERSONIO_CLIENT,
    PERSONIO_COMPANY_ID,
    PERSONIO_JOB,
    PERSONIO_TOKEN,
    FakePersonio,
)
from tests.conftest import FakeAts

ats_pipeline = ats_fakes.ats_pipeline
PERSONIO = pytest.mark.parametrize("ats_pipeline", ["personio"], indirect=True)


def only(pipeline: Pipeline) -> Kept:
    (kept,) = pipeline.ats.kept
    return kept


def fake(pipeline: Pipeline) -> FakePersonio:
    assert isinstance(pipeline.ats, FakePersonio)
    return pipeline.ats


@PERSONIO
async def test_documents_are_uploaded_first_then_the_application_names_them(
    ats_pipeline: Pipeline,
) -> None:
    accepted = await ats_pipeline.accept()
    assert await ats_pipeline.worker().run_once() == 1
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERED, 1)
    assert record.ats_application_id is None, "Personio answers 201 without an id"
    kept = only(ats_pipeline)
    assert kept.auth == f"Bearer {PERSONIO_TOKEN}"
    assert fake(ats_pipeline).uploads == 2
    files = kept.answers.pop("files")
    assert kept.answers == {
        "job_position_id": int(PERSONIO_JOB),
        "first_name": f"Jane {SENTINEL}first",
        "last_name": f"Doe {SENTINEL}last",
        "email": email_of(0),
        "message": f"I would like to work here. {SENTINEL}message",
        "attributes": [
            {"id": "phone", "value": "+49 30 1234 5678"},
            {"id": "available_from", "value": "2027-01-15"},
            {"id": "salary_expectations", "value": "65000 EUR"},
        ],
    }
    assert [(f["category"], f["original_filename"]) for f in files] == [
        ("cv", f"{SENTINEL}-cv.pdf"),
        ("cover-letter", f"{SENTINEL}-letter.pdf"),
    ]
    assert [(f["field"], f["content_type"], f["data"]) for f in kept.files] == [
        ("cv", "application/pdf", PDF),
        ("cover-letter", "application/pdf", LETTER),
    ]


@PERSONIO
async def test_a_second_attempt_uploads_the_documents_again(ats_pipeline: Pipeline) -> None:
    """Attempts hold nothing across workers: a retried application uploads its documents
    again, and the application names the new uuids."""
    ats_pipeline.ats.then(Step(status=503, record=False, body={}))
    await ats_pipeline.accept()
    await ats_pipeline.drain(ats_pipeline.worker())
    assert fake(ats_pipeline).uploads == 4
    named = [f["uuid"] for f in only(ats_pipeline).answers["files"]]
    assert named == list(fake(ats_pipeline).documents)[2:]


@PERSONIO
async def test_an_application_the_ats_already_has_is_delivered(ats_pipeline: Pipeline) -> None:
    """The candidate applied before (through another channel): Personio refuses the repeat
    as applicant-already-exists, and the application is in the ATS."""
    ats_pipeline.ats.then(Step(status=400, record=False, body=ALREADY_EXISTS))
    accepted = await ats_pipeline.accept()
    assert await ats_pipeline.worker().run_once() == 1
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED


@PERSONIO
async def test_the_deprecated_already_applied_answer_is_delivered(ats_pipeline: Pipeline) -> None:
    body = {"success": False, "error": {"message": "Applicant already applied to this position."}}
    ats_pipeline.ats.then(Step(status=200, record=False, body=body))
    accepted = await ats_pipeline.accept()
    assert await ats_pipeline.worker().run_once() == 1
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED


@PERSONIO
@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"success": False, "error": {"message": f"not published {email_of(0)}"}}),
        (201, {"errors": [{"field": "email", "errors": [{"reason": f"invalid {email_of(0)}"}]}]}),
        (400, {"errors": [{"field": "email", "errors": [{"reason": f"invalid {email_of(0)}"}]}]}),
    ],
    ids=["200-success-false", "201-with-errors", "400-validation"],
)  # fmt: skip
async def test_an_answer_carrying_an_error_is_failed_with_the_reasons_masked(
    ats_pipeline: Pipeline, status: int, body: dict[str, object]
) -> None:
    ats_pipeline.ats.then(Step(status=status, record=False, body=body))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.failure_reason) == (
        ApplicationStatus.FAILED, FailureReason.REJECTED,
    ), "a 2xx is not success until the body says so"  # fmt: skip
    assert "[personal data]" in (record.last_error or ""), record.last_error
    assert SENTINEL not in (record.last_error or "")
    assert ats_pipeline.ats.kept == []
    ats_pipeline.clock.advance(7 * 24 * 3600)
    assert await worker.run_once() == 0, "a refusal is not retried"


@PERSONIO
async def test_two_workers_keep_20_requests_a_minute_uploads_included(
    ats_pipeline: Pipeline,
) -> None:
    """Each application is three requests (two documents, itself). Two workers sharing the
    store book their turns there, so in no minute does Personio see more than 20."""
    count = 12
    for n in range(count):
        await ats_pipeline.accept(n)
    workers = [ats_pipeline.worker(), ats_pipeline.worker()]
    for _ in range(400):
        progressed = [await worker.run_once() for worker in workers]
        if not any(progressed):
            pending = [
                record.next_attempt_at
                for record in await ats_pipeline.store.list_applications(limit=100)
                if record.status is not ApplicationStatus.DELIVERED
                and record.next_attempt_at is not None
            ]
            if not pending:
                break
            now = ats_pipeline.clock.now().timestamp()
            ats_pipeline.clock.advance(max(0.01, min(pending) - now))
    assert ats_pipeline.ats.times_kept() == {email_of(n): 1 for n in range(count)}
    times = fake(ats_pipeline).api_times
    assert len(times) == 3 * count
    minute = timedelta(seconds=60)
    busiest = max(sum(1 for t in times if start <= t < start + minute) for start in times)
    assert busiest <= 20, busiest
    assert times[-1] - times[0] < timedelta(seconds=140), "and not much slower than that"


# -- the connector alone -------------------------------------------------------------------


def job_with(*questions: Question) -> Job:
    return Job(
        connector="personio", external_id="12", title="Engineer",
        questions=(*personio_apply.STANDARD_QUESTIONS, *questions),
        fetched_at=SYSTEM_CLOCK.now(),
    )  # fmt: skip


def application(
    answers: dict[str, object], files: Mapping[str, tuple[UploadedFile, ...]] | None = None
) -> Application:
    return Application(
        id="app-1", tenant_id="t", mode="personio", job_id="12",
        answers={"first_name": "Jane", "last_name": "Doe", "email": "j@example.org",
                 **answers},  # type: ignore[dict-item]
        files=files or {}, created_at=0.0,
    )  # fmt: skip


def connector(ats: FakeAts) -> PersonioConnector:
    return PersonioConnector(
        {"company": "nordlicht", "company_id": PERSONIO_COMPANY_ID},
        PERSONIO_CLIENT,
        http=ats.client(allow_private_network=True),
    )


def test_custom_attributes_are_encoded_by_question_type() -> None:
    choice = (QuestionOption(id="o1", label="Berlin"), QuestionOption(id="o2", label="Köln"))
    job = job_with(
        Question(id="custom_attribute_1", label="Office", type=QuestionType.SINGLE_CHOICE,
                 options=choice),
        Question(id="custom_attribute_2", label="Offices", type=QuestionType.MULTIPLE_CHOICE,
                 options=choice),
        Question(id="custom_attribute_3", label="Licence?", type=QuestionType.YES_NO),
        Question(id="custom_attribute_4", label="Years", type=QuestionType.NUMBER),
        Question(id="birthday", label="Birthday", type=QuestionType.DATE),
    )  # fmt: skip
    sent = personio_apply.body(
        job,
        application({
            "custom_attribute_1": "o2", "custom_attribute_2": ("o1", "o2"),
            "custom_attribute_3": True, "custom_attribute_4": Decimal("7.5"),
            "birthday": date(1990, 2, 3),
        }),
        [],
    )  # fmt: skip
    assert sent == {
        "job_position_id": 12, "first_name": "Jane", "last_name": "Doe",
        "email": "j@example.org",
        "attributes": [
            {"id": "custom_attribute_1", "value": "Köln"},
            {"id": "custom_attribute_2", "value": "Berlin, Köln"},
            {"id": "custom_attribute_3", "value": "true"},
            {"id": "custom_attribute_4", "value": "7.5"},
            {"id": "birthday", "value": "1990-02-03"},
        ],
    }  # fmt: skip


async def test_a_document_over_20_mb_is_refused_before_anything_is_sent() -> None:
    ats = FakeAts(lambda request: httpx.Response(500))
    big = UploadedFile("cv.pdf", "application/pdf", b"%PDF" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(SubmitRejected) as caught:
        await connector(ats).submit_application(job_with(), application({}, {"cv": (big,)}))
    assert caught.value.reasons == {"cv": "larger than 20 MB"}
    assert ats.requests == []


def _answers(upload: httpx.Response, created: httpx.Response) -> FakeAts:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v2/auth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        if request.url.path.endswith("/documents"):
            return upload
        return created

    return FakeAts(handle)


CV = {"cv": (UploadedFile("cv.pdf", "application/pdf", PDF),)}
UPLOADED = httpx.Response(200, json={"uuid": "u-1", "original_filename": "cv.pdf"})


async def test_requests_go_to_the_recruiting_api_with_the_company_id() -> None:
    ats = _answers(UPLOADED, httpx.Response(201))
    submitting = PersonioConnector(
        {"company": "nordlicht", "company_id": PERSONIO_COMPANY_ID}, PERSONIO_CLIENT,
        http=ats.client(),
    )  # fmt: skip
    await submitting.submit_application(job_with(), application({}, CV))
    assert [str(r.url) for r in ats.requests] == [
        "https://api.personio.de/v2/auth/token",
        "https://api.personio.de/v1/recruiting/applications/documents",
        "https://api.personio.de/v1/recruiting/applications",
    ]
    for request in ats.requests[1:]:
        assert request.headers["x-company-id"] == PERSONIO_COMPANY_ID
        assert request.headers["authorization"] == "Bearer t"
    assert json.loads(ats.requests[2].content)["files"] == [
        {"uuid": "u-1", "original_filename": "cv.pdf", "category": "cv"}
    ]


@pytest.mark.parametrize("status", [413, 422])
async def test_a_refused_document_refuses_the_application(status: int) -> None:
    ats = _answers(httpx.Response(status, json={"error": "nope"}), httpx.Response(201))
    with pytest.raises(SubmitRejected):
        await connector(ats).submit_application(job_with(), application({}, CV))
    assert not any(r.url.path == "/v1/recruiting/applications" for r in ats.requests)


async def test_an_upload_without_a_uuid_sends_no_application() -> None:
    from embloy_ats.applications import SubmitRetryable

    ats = _answers(httpx.Response(200, json={}), httpx.Response(201))
    with pytest.raises(SubmitRetryable):
        await connector(ats).submit_application(job_with(), application({}, CV))
    assert not any(r.url.path == "/v1/recruiting/applications" for r in ats.requests)


async def test_a_2xx_that_does_not_say_created_is_ambiguous() -> None:
    ats = _answers(UPLOADED, httpx.Response(202))
    with pytest.raises(SubmitAmbiguous):
        await connector(ats).submit_application(job_with(), application({}))


async def test_submitting_without_credentials_is_a_configuration_error() -> None:
    plain = PersonioConnector({"company": "nordlicht"}, http=HttpClient())
    with pytest.raises(ConfigurationError, match="client_id"):
        await plain.submit_application(job_with(), application({}))


def test_personio_declares_its_submission_limit_and_resend() -> None:
    assert PersonioConnector.resend_after_unknown_outcome is True
    policy = PersonioConnector.submit_rate_limit
    assert policy.requests * personio_apply.MAX_REQUESTS <= 20
    assert policy.per_seconds == 60.0


@PERSONIO
async def test_a_service_that_takes_30_mb_files_refuses_one_over_20_mb_for_personio(
    ats_pipeline: Pipeline,
) -> None:
    """Personio refuses documents over 20 MB; with the service's own cap set higher, the
    apply page says so before anything is stored, rather than the delivery failing."""
    mib = 1024 * 1024
    limits = Limits(max_file_bytes=30 * mib, max_total_file_bytes=60 * mib)
    service = ApplicationService(
        ats_pipeline.store, registry=ats_pipeline.registry, limits=limits,
        clock=ats_pipeline.clock,
    )  # fmt: skip
    assert service.limits_for("personio").max_file_bytes == 20 * mib
    fields, files = ats_pipeline.form_for(0)
    files["answer.cv"] = [UploadedFile("cv.pdf", "application/pdf", PDF + b"0" * (20 * mib))]
    result = await service.accept(ats_pipeline.tenant_id, ats_pipeline.job, fields, files)
    assert isinstance(result, InvalidApplication)
    assert result.fields == {
        "answer.cv": "The file is larger than 20 MiB (Personio takes no larger files); "
        "attach a smaller one."
    }
    assert await ats_pipeline.store.list_applications(limit=10) == [], "nothing stored"
    files["answer.cv"] = [UploadedFile("cv.pdf", "application/pdf", PDF + b"0" * (19 * mib))]
    accepted = await service.accept(ats_pipeline.tenant_id, ats_pipeline.job, fields, files)
    assert isinstance(accepted, Accepted), "19 MB is fine"
