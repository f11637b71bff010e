"""Teamtailor receives applications as its API v1 takes them, in several calls, and a
delivery that stops between two of them resumes from the step it reached.

Each test delivers through the whole pipeline (answers validated, stored, claimed by a
worker, sent by the real connector) to the fake Teamtailor, which records the wire: the
candidate, the job application, each answer, the key and API version of every call.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from embloy_ats.applications import (
    ApplicationStatus,
    DeliverySettings,
    FailureReason,
    Receipt,
    Worker,
)
from embloy_ats.clock import SYSTEM_CLOCK
from embloy_ats.model import QuestionType
from embloy_ats.service.app import create_app
from embloy_ats.service.applications_api import Applications
from embloy_ats.service.tokens import TokenService

from benchmarks.apply_ats import Step
from tests.applications import ats_fakes
from tests.applications.ats_fakes import email_of
from tests.applications.conftest import PDF, SENTINEL, Pipeline
from tests.applications.fake_teamtailor import (
    TT_JOB,
    TT_KEY,
    TT_VERSION,
    FakeTeamtailor,
    teamtailor_form_with_resume,
)
from tests.applications.test_processes import real_time, worker_processes

ats_pipeline = ats_fakes.ats_pipeline
pytestmark = pytest.mark.parametrize("ats_pipeline", ["teamtailor"], indirect=True)
#: the answers of `teamtailor_form`, as Teamtailor's answer attributes.
ANSWERS = {
    "5101": {"boolean": True},
    "5102": {"choices": [12]},
    "5103": {"choices": [21, 23]},
    "5104": {"text": f"Because. {SENTINEL}why"},
    "5105": {"text": "jane-doe"},
    "5106": {"range": 7},
    "5107": {"text": "2027-01-15"},
    "5108": {"text": "4"},
}


def fake(pipeline: Pipeline) -> FakeTeamtailor:
    assert isinstance(pipeline.ats, FakeTeamtailor)
    return pipeline.ats


async def test_the_candidate_the_job_application_and_each_answer_arrive_once(
    ats_pipeline: Pipeline,
) -> None:
    tt = fake(ats_pipeline)
    accepted = await ats_pipeline.accept()
    assert await ats_pipeline.worker().run_once() == 1
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERED, 1)
    (kept,) = tt.kept
    assert record.ats_application_id == kept.ats_id
    assert tt.write_headers == {(f"Token token={TT_KEY}", TT_VERSION, "application/vnd.api+json")}
    (candidate,) = tt.candidates.values()
    assert tt.candidate_attributes[candidate] == {
        "email": email_of(0), "first-name": f"Jane Maria {SENTINEL}name", "last-name": "Doe",
        "phone": "+46 8 1234 5678", "merge": True, "sourced": False,
    }  # fmt: skip
    assert kept.job_id == TT_JOB
    assert kept.answers == {"cover-letter": f"Dear team, {SENTINEL}letter", "sourced": False}
    assert tt.answers_of(email_of(0)) == ANSWERS
    assert (tt.candidate_posts, len(tt.post_times), tt.answer_posts) == (1, 1, len(ANSWERS))
    application, _ = await ats_pipeline.store.load(accepted.application_id)
    assert application.progress.get("candidate") == candidate
    assert application.progress.get("job-application") == kept.ats_id


async def test_a_503_on_an_answer_resumes_with_the_answers_left(ats_pipeline: Pipeline) -> None:
    tt = fake(ats_pipeline)
    tt.answer_script.extend([Step(), Step(), Step(status=503, record=False, body={})])
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING
    assert "503" in (record.last_error or "")
    await ats_pipeline.drain(worker)
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
    assert tt.candidate_posts == 1, "the candidate was made once"
    assert len(tt.post_times) == 1, "the job application was made once"
    assert tt.answer_posts == len(ANSWERS) + 1, "only the answer that failed was sent again"
    assert tt.answers_of(email_of(0)) == ANSWERS


async def test_a_timeout_on_an_answer_the_ats_kept_ends_with_each_answer_once(
    ats_pipeline: Pipeline,
) -> None:
    tt = fake(ats_pipeline)
    tt.answer_script.extend([Step(), Step(hang=1.3)])
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert "UpstreamTimeout" in (record.last_error or "")
    await ats_pipeline.drain(worker)
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
    assert (tt.candidate_posts, len(tt.post_times)) == (1, 1)
    assert tt.answer_posts == len(ANSWERS) + 1, "the answer in doubt sent again: it updates"
    assert tt.answers_of(email_of(0)) == ANSWERS
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}


async def test_a_worker_killed_between_two_answers_resumes_after_restart(
    ats_pipeline: Pipeline,
) -> None:
    """SIGKILL while Teamtailor holds the third answer: the next worker makes neither the
    candidate nor the job application again, and sends only the answers left."""
    real_time(ats_pipeline)
    tt = fake(ats_pipeline)
    tt.answer_script.extend([Step(), Step(), Step(hang=3.0)])
    accepted = await ats_pipeline.accept()
    with worker_processes(ats_pipeline, 1, lease=1.0) as (doomed,):
        await doomed.ready()
        await asyncio.wait_for(tt.answered(3), 30)
        doomed.kill()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERING, 1)
    settings = DeliverySettings(lease=1.0, poll_interval=0.05, lookup_delay=0.1)
    restarted = Worker(
        ats_pipeline.store, ats_pipeline.connectors, settings=settings, clock=SYSTEM_CLOCK
    )
    await asyncio.sleep(1.1)
    assert await restarted.run_once() == 1
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.DELIVERED
    assert (tt.candidate_posts, len(tt.post_times)) == (1, 1)
    assert tt.answer_posts == len(ANSWERS) + 1
    assert tt.answers_of(email_of(0)) == ANSWERS


async def test_a_lookup_without_progress_finds_the_candidate_by_email_and_records_it(
    ats_pipeline: Pipeline,
) -> None:
    """A worker died before it could record the candidate it made: the lookup finds the
    candidate by email and their job application, and keeps both for the next send."""
    tt = fake(ats_pipeline)
    accepted = await ats_pipeline.accept()
    await ats_pipeline.worker().run_once()
    (kept,) = tt.kept
    await ats_pipeline.store._run(
        ats_pipeline.store._sql("UPDATE applications SET progress = NULL WHERE id = %s"),
        (accepted.application_id,),
    )
    application, job = await ats_pipeline.store.load(accepted.application_id)
    connector = await ats_pipeline.connectors.connector(ats_pipeline.tenant_id, "teamtailor")
    found = await connector.find_application(job, application)  # type: ignore[attr-defined]
    assert found is None, "the answers are not known to be there: the next send makes them"
    assert application.progress.values == {
        "candidate": tt.candidates[email_of(0)], "job-application": kept.ats_id,
    }  # fmt: skip
    assert tt.lookups == 1
    for question in ANSWERS:
        await application.progress.record(f"answer.{question}", "1")
    found = await connector.find_application(job, application)  # type: ignore[attr-defined]
    assert found == Receipt(ats_application_id=kept.ats_id,
                            ats_candidate_id=tt.candidates[email_of(0)])  # fmt: skip


async def test_a_candidate_already_in_teamtailor_is_merged_not_refused(
    ats_pipeline: Pipeline,
) -> None:
    tt = fake(ats_pipeline)
    await ats_pipeline.accept()
    await ats_pipeline.worker().run_once()
    ats_pipeline.clock.advance(30 * 24 * 3600)
    accepted = await ats_pipeline.accept(phone=["+46 8 8765 4321"])  # applies again
    await ats_pipeline.worker().run_once()
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
    assert len(tt.candidates) == 1, "one candidate: unique by email"
    assert tt.candidate_attributes[tt.candidates[email_of(0)]]["phone"] == "+46 8 8765 4321"
    assert len(tt.kept) == 2


async def test_a_200_carrying_json_api_errors_is_failed_with_the_reasons_masked(
    ats_pipeline: Pipeline,
) -> None:
    body = {"errors": [{"status": "422", "detail": f"{email_of(0)} is not allowed to apply",
                        "source": {"pointer": "/data/relationships/candidate"}}]}  # fmt: skip
    ats_pipeline.ats.then(Step(status=200, record=False, body=body))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.failure_reason) == (
        ApplicationStatus.FAILED, FailureReason.REJECTED,
    ), "a 2xx is not success until the body says so"  # fmt: skip
    assert "candidate: [personal data] is not allowed to apply" in (record.last_error or "")
    assert SENTINEL not in (record.last_error or "")
    assert ats_pipeline.ats.kept == []
    ats_pipeline.clock.advance(7 * 24 * 3600)
    assert await worker.run_once() == 0, "a refusal is not retried"


async def test_a_200_without_the_created_resource_is_looked_up_then_sent_again(
    ats_pipeline: Pipeline,
) -> None:
    tt = fake(ats_pipeline)
    ats_pipeline.ats.then(Step(status=200, record=False, body={"meta": {}}))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.RETRYING
    await ats_pipeline.drain(worker)
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
    assert tt.lookups == 1
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    assert tt.candidate_posts == 1


async def test_a_422_on_the_job_application_fails_with_teamtailors_reasons(
    ats_pipeline: Pipeline,
) -> None:
    body = {"errors": [{"status": "422", "title": "Invalid", "detail": "job is not open",
                        "source": {"pointer": "/data/relationships/job"}}]}  # fmt: skip
    ats_pipeline.ats.then(Step(status=422, record=False, body=body))
    accepted = await ats_pipeline.accept()
    await ats_pipeline.worker().run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.failure_reason is FailureReason.REJECTED
    assert "job: job is not open" in (record.last_error or "")


async def test_an_answer_to_a_question_teamtailor_no_longer_has_is_rejected_not_job_gone(
    ats_pipeline: Pipeline,
) -> None:
    tt = fake(ats_pipeline)
    tt.answer_script.append(Step(status=404, record=False, body={"errors": [{"status": "404"}]}))
    accepted = await ats_pipeline.accept()
    await ats_pipeline.worker().run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.failure_reason is FailureReason.REJECTED
    assert "no such question" in (record.last_error or "")
    assert len(tt.kept) == 1, "the job application was made"


async def test_a_file_stored_before_teamtailor_declared_it_undeliverable_is_left_out(
    ats_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Teamtailor takes a resume only as a public link it downloads, and none is published:
    an application stored with a file (before the connector declared files undeliverable,
    so the apply page still asked for one) arrives with everything else, not refused."""
    tt = fake(ats_pipeline)
    connector = ats_pipeline.registry.get("teamtailor").connector
    monkeypatch.setattr(connector, "undeliverable_question_types", frozenset(), raising=False)
    ats_pipeline.form_for = teamtailor_form_with_resume
    accepted = await ats_pipeline.accept()
    monkeypatch.undo()
    application, _ = await ats_pipeline.store.load(accepted.application_id)
    assert set(application.files) == {"resume"}
    assert await ats_pipeline.worker().run_once() == 1
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERED, 1)
    assert tt.answers_of(email_of(0)) == ANSWERS
    (candidate,) = tt.candidates.values()
    assert "resume" not in tt.candidate_attributes[candidate]
    assert (tt.candidate_posts, len(tt.kept), tt.answer_posts) == (1, 1, len(ANSWERS))


async def test_the_apply_endpoint_neither_asks_nor_takes_files_for_a_teamtailor_job(
    ats_pipeline: Pipeline,
) -> None:
    """The page and the session's job show no file or video question of a Teamtailor job;
    the form is accepted without them, and a file
    sent anyway is refused on its field with why, before anything is stored."""
    tokens = TokenService("s" * 40, ats_pipeline.resolver.store)
    applications = Applications(ats_pipeline.store, ats_pipeline.service)
    app = create_app(ats_pipeline.resolver, tokens, owns_resolver=False, applications=applications)
    client_token, _ = await tokens.issue_client_token(ats_pipeline.tenant_id)
    client = await tokens.verify_client_token(client_token)

    def token() -> str:
        return tokens.issue_request_token(client, "teamtailor", TT_JOB, success_url=None)

    files = [q.id for q in ats_pipeline.job.questions if q.type is QuestionType.FILE]
    assert set(files) == {"resume", "5109"}, "the job asks a resume and a video"
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        page = await http.get("/sdk/apply", params={"request_token": token()})
        assert page.status_code == 200
        assert 'type="file"' not in page.text
        assert "answer.resume" not in page.text
        assert "answer.5109" not in page.text
        assert "answer.5101" in page.text
        handled = await http.post("/api/v0/sdk/request/handle", headers={"request_token": token()})
        shown = {q["id"] for q in handled.json()["job"]["questions"]}
        assert "5101" in shown
        assert not shown & set(files)

        fields, _ = teamtailor_form_with_resume()
        refused = await http.post(
            "/api/v0/sdk/apply",
            data={**fields, "request_token": token()},
            files=[("answer.resume", ("cv.pdf", PDF, "application/pdf"))],
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["fields"] == {
            "answer.resume": "Teamtailor cannot take this answer; send the application without it."
        }
        assert await ats_pipeline.store.list_applications(limit=10) == []

        taken = await http.post(  # multipart, as the page sends it, with no file part
            "/api/v0/sdk/apply", data=fields, files=[("request_token", (None, token()))]
        )
        assert taken.status_code == 202, taken.text
    application, _ = await ats_pipeline.store.load(taken.json()["application_id"])
    assert application.files == {}
