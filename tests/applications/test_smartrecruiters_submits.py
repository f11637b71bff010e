"""SmartRecruiters receives applications as its Application API takes them: JSON with the
files base64, screening answers as records of string arrays, the consent as a decision; and
refuses what it cannot take (files over 2 MB at the apply page, long texts before sending)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from embloy_ats import ConfigurationError
from embloy_ats.applications import (
    Accepted,
    Application,
    ApplicationStatus,
    FailureReason,
    InvalidApplication,
    SubmitRejected,
    UploadedFile,
)
from embloy_ats.model import Job
from embloy_ats_smartrecruiters import SmartrecruitersConnector

from benchmarks.apply_ats import Kept, Step, running
from tests.applications import ats_fakes, expected
from tests.applications.ats_fakes import email_of
from tests.applications.conftest import PDF, SENTINEL, Pipeline, started_pipeline
from tests.applications.fake_smartrecruiters import (
    LETTER,
    SR_COMPANY,
    SR_KEY,
    SR_POSTING,
    SR_UUID,
    FakeSmartRecruiters,
    smartrecruiters_form,
)
from tests.conftest import FakeAts
from tests.resolver.conftest import ManualClock

ats_pipeline = ats_fakes.ats_pipeline
MIB = 1024 * 1024


def only(pipeline: Pipeline) -> Kept:
    (kept,) = pipeline.ats.kept
    return kept


@pytest.mark.parametrize("ats_pipeline", ["smartrecruiters"], indirect=True)
async def test_smartrecruiters_receives_json_with_records_of_answers_and_base64_files(
    ats_pipeline: Pipeline,
) -> None:
    accepted = await ats_pipeline.accept()
    assert await ats_pipeline.worker().run_once() == 1
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERED, 1), record
    kept = only(ats_pipeline)
    assert record.ats_application_id == kept.ats_id, "the candidate id SmartRecruiters answered"
    assert kept.auth == SR_KEY, "the key goes in X-SmartToken"
    assert kept.job_id == SR_UUID, "posted to the posting's uuid, not its id"
    assert kept.answers == {
        "firstName": f"Jane{SENTINEL}first",
        "lastName": f"Doe{SENTINEL}last",
        "email": email_of(0),
        "phoneNumber": "+49 30 1234 5678",
        "messageToHiringManager": f"Hello. {SENTINEL}hello",
        "consentDecisions": {"SINGLE": True},
        "answers": [
            {"id": "q-permit", "records": [{"fields": {"f1": ["yes"]}}]},
            {"id": "q-shifts", "records": [{"fields": {"f2": ["early", "night"],
                                                       "f3": ["next month"]}}]},
            {"id": "q-forklift", "records": [{"fields": {"f4": ["true"], "f5": ["some"],
                                                         "f6": [f"Because. {SENTINEL}why"]}}]},
            {"id": "q-diversity", "records": [{"fields": {"gender": ["x"]}}]},
        ],
    }  # fmt: skip
    resume, letter = kept.files
    assert (resume["field"], resume["name"], resume["content_type"], resume["data"]) == (
        "resume", f"{SENTINEL}-cv.pdf", "application/pdf", PDF,
    )  # fmt: skip
    assert (letter["field"], letter["name"]) == ("attachments", f"{SENTINEL}-letter.pdf")
    assert LETTER in letter["data"]


@pytest.mark.parametrize("ats_pipeline", ["smartrecruiters"], indirect=True)
async def test_a_file_over_2_mb_is_refused_at_the_apply_page_with_a_clear_message(
    ats_pipeline: Pipeline,
) -> None:
    fields, files = smartrecruiters_form()
    big = PDF + b"0" * (2 * MIB)
    files["answer.resume"] = [UploadedFile("cv.pdf", "application/pdf", big)]
    result = await ats_pipeline.service.accept(ats_pipeline.tenant_id, ats_pipeline.job,
                                               fields, files)  # fmt: skip
    assert isinstance(result, InvalidApplication)
    assert result.fields == {
        "answer.resume": "The file is larger than 2 MiB (SmartRecruiters takes no larger "
        "files); attach a smaller one."
    }
    assert await ats_pipeline.store.list_applications(limit=10) == [], "nothing stored"
    files["answer.resume"] = [UploadedFile("cv.pdf", "application/pdf", PDF + b"0" * (MIB))]
    assert isinstance(
        await ats_pipeline.service.accept(ats_pipeline.tenant_id, ats_pipeline.job, fields, files),
        Accepted,
    ), "1 MB is fine"


async def test_the_2_mb_cap_is_smartrecruiters_own(pipeline: Pipeline) -> None:
    """Another ATS's job still takes files up to the service's limit (10 MB by default)."""
    fields, files = pipeline.form_for(0)
    files["answer.resume"] = [UploadedFile("cv.pdf", "application/pdf", PDF + b"0" * 3 * MIB)]
    result = await pipeline.service.accept(pipeline.tenant_id, pipeline.job, fields, files)
    assert isinstance(result, Accepted)
    assert pipeline.service.limits_for(pipeline.job.connector) == pipeline.service.limits
    capped = pipeline.service.limits_for("smartrecruiters")
    assert capped.max_file_bytes == 2 * MIB


@pytest.mark.parametrize(
    ("ats_pipeline", "body"),
    [("smartrecruiters", {"message": f"Invalid email: {email_of(0)}"}),
     ("smartrecruiters", {"errors": [{"code": "INVALID_ANSWERS", "message":
                                      "Values for the following screening questions' answers "
                                      f"are incorrect: q-permit ({email_of(0)})"}]})],
    indirect=["ats_pipeline"],
)  # fmt: skip
async def test_a_2xx_carrying_an_error_is_failed_with_the_reasons_masked(
    ats_pipeline: Pipeline, body: dict[str, object]
) -> None:
    await expected.refused_with_the_reasons_masked(ats_pipeline, 201, body)


@pytest.mark.parametrize("ats_pipeline", ["smartrecruiters"], indirect=True)
async def test_a_2xx_without_the_candidate_is_left_to_an_operator(ats_pipeline: Pipeline) -> None:
    ats_pipeline.ats.then(Step(status=201, record=True, body={}))
    accepted = await ats_pipeline.accept()
    await ats_pipeline.drain(ats_pipeline.worker())
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.failure_reason is FailureReason.UNKNOWN_OUTCOME
    assert len(ats_pipeline.ats.post_times) == 1, "not sent twice"


@pytest.mark.parametrize(
    ("ats_pipeline", "status"), [("smartrecruiters", 400), ("smartrecruiters", 422)],
    indirect=["ats_pipeline"],
)  # fmt: skip
async def test_a_refusal_names_the_screening_questions(ats_pipeline: Pipeline, status: int) -> None:
    body = {"message": "The following screening questions are required: q-permit"}
    ats_pipeline.ats.then(Step(status=status, record=False, body=body))
    accepted = await ats_pipeline.accept()
    await ats_pipeline.worker().run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.failure_reason is FailureReason.REJECTED
    assert "screening questions are required: q-permit" in (record.last_error or "")


@pytest.mark.parametrize("ats_pipeline", ["smartrecruiters"], indirect=True)
async def test_a_text_over_4000_bytes_is_refused_before_sending(ats_pipeline: Pipeline) -> None:
    fields, files = smartrecruiters_form()
    fields["answer.q-forklift.f6"] = ["ü" * 2001]
    accepted = await ats_pipeline.service.accept(
        ats_pipeline.tenant_id, ats_pipeline.job, fields, files
    )
    assert isinstance(accepted, Accepted)
    await ats_pipeline.worker().run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.failure_reason is FailureReason.REJECTED
    assert "4000 bytes" in (record.last_error or "")
    assert ats_pipeline.ats.post_times == [], "nothing sent"


@pytest.fixture
async def keyless(
    database_url: str, clock: ManualClock, private_network: None
) -> AsyncIterator[Pipeline]:
    async with (
        running(FakeSmartRecruiters(clock=clock)) as fake,
        started_pipeline(
            database_url, fake, clock, mode="smartrecruiters", job_id=SR_POSTING,
            settings={"company_identifier": SR_COMPANY}, form_for=smartrecruiters_form,
        ) as started,
    ):  # fmt: skip
        yield started


async def test_without_a_key_nothing_is_sent_and_it_waits_for_the_operator(
    keyless: Pipeline,
) -> None:
    """The public way in gives the standard fields only; sending needs the key."""
    assert [q.id for q in keyless.job.questions][:3] == ["firstName", "lastName", "email"]
    fields, files = smartrecruiters_form()
    fields = {k: v for k, v in fields.items() if k.count(".") == 1}  # standard answers only
    result = await keyless.service.accept(keyless.tenant_id, keyless.job, fields, files)
    assert isinstance(result, Accepted)
    await keyless.worker().run_once()
    record = await keyless.store.show(result.application_id)
    assert record.status is ApplicationStatus.RETRYING
    assert "api_key" in (record.last_error or "")
    assert keyless.ats.post_times == []


# -- the connector alone ----------------------------------------------------------------------


def _job(**custom: str) -> Job:
    return Job(connector="smartrecruiters", external_id=SR_POSTING, title="T",
               fetched_at=datetime.now(UTC), custom_fields=dict(custom))  # fmt: skip


def _application() -> Application:
    return Application(id="a1", tenant_id="t", mode="smartrecruiters", job_id=SR_POSTING,
                       answers={}, files={}, created_at=0.0)  # fmt: skip


@pytest.mark.parametrize("uuid", [None, "../../v1/admin", SR_UUID.upper()])
async def test_a_job_without_a_well_formed_uuid_sends_nothing(uuid: str | None) -> None:
    ats = FakeAts(lambda request: httpx.Response(201, json={"id": "c1"}))
    connector = SmartrecruitersConnector(
        {"company_identifier": SR_COMPANY}, {"api_key": SR_KEY}, http=ats.client()
    )
    job = _job(**({"uuid": uuid} if uuid else {}))
    with pytest.raises(ConfigurationError):
        await connector.submit_application(job, _application())
    assert ats.requests == []


async def test_a_file_over_2_mb_is_refused_by_the_connector_too() -> None:
    from embloy_ats.model import Question, QuestionType

    ats = FakeAts(lambda request: httpx.Response(201, json={"id": "c1"}))
    connector = SmartrecruitersConnector(
        {"company_identifier": SR_COMPANY}, {"api_key": SR_KEY}, http=ats.client()
    )
    job = _job(uuid=SR_UUID).model_copy(
        update={"questions": (Question(id="resume", label="CV", type=QuestionType.FILE),)}
    )
    big = UploadedFile("cv.pdf", "application/pdf", b"%PDF" + b"0" * 2 * MIB)
    application = Application(id="a1", tenant_id="t", mode="smartrecruiters",
                              job_id=SR_POSTING, answers={}, files={"resume": (big,)},
                              created_at=0.0)  # fmt: skip
    with pytest.raises(SubmitRejected) as caught:
        await connector.submit_application(job, application)
    assert caught.value.reasons == {"resume": "SmartRecruiters takes files of at most 2 MB"}
    assert ats.requests == []


def test_answer_values_by_type() -> None:
    from datetime import date

    from embloy_ats.model import Question, QuestionType
    from embloy_ats_smartrecruiters import apply

    q = Question(id="q.f", label="x", type=QuestionType.SHORT_TEXT)
    assert apply.values(q, "text") == ["text"]
    assert apply.values(q, True) == ["true"]
    assert apply.values(q, False) == ["false"]
    assert apply.values(q, ("a", "b")) == ["a", "b"]
    assert apply.values(q, Decimal("7.50")) == ["7.50"]
    assert apply.values(q, date(2027, 1, 15)) == ["2027-01-15"]
