"""What Greenhouse, Lever and Ashby must have received for profile 0's form, and how a 2xx
whose body refuses must end: written once, for the pipeline's tests
(tests.applications.test_ats_submits, test_smartrecruiters_submits) and the apply page's
end-to-end tests in a browser (tests.service.test_apply_page_browser), which fill in the same
profile forms and must leave the same wire."""

from __future__ import annotations

from embloy_ats.applications import ApplicationStatus, FailureReason

from benchmarks.apply_ats import ScriptedAts, Step
from tests.applications.ats_fakes import (
    ASHBY_KEY,
    ASHBY_POSTING,
    GH_KEY,
    GH_POST,
    LEVER_CARD,
    LEVER_KEY,
    LEVER_POSTINGS_KEY,
    SAMPLE,
    FakeLever,
    basic,
    email_of,
)
from tests.applications.conftest import PDF, SENTINEL, Pipeline


def greenhouse_received(ats: ScriptedAts) -> None:
    """The Job Board API's JSON: field names, option ids as integers, files base64."""
    (kept,) = ats.kept
    assert kept.auth == basic(GH_KEY), "Basic, the Job Board API key as the user"
    assert kept.job_id == GH_POST
    assert kept.answers == {
        "first_name": f"Jane{SENTINEL}first",
        "last_name": f"Doe{SENTINEL}last",
        "email": email_of(0),
        "phone": "+49 30 1234 5678",
        "question_5001": "https://linkedin.com/in/jane",
        "question_5002": 1,  # yes: the option value of "Yes"
        "question_5003": 60012,  # a single select: the option's integer id
        "question_5004": [60021, 60022],  # a multi select: the ids, without the `[]`
        "question_5005": f"Because. {SENTINEL}why",
        "data_compliance": {"gdpr_consent_given": True},
    }
    assert [(f["field"], f["name"], f["data"]) for f in kept.files] == [
        ("resume", f"{SENTINEL}-cv.pdf", PDF),
        ("question_5006", f"{SENTINEL}-sample.txt", SAMPLE),
    ]


def lever_received(ats: ScriptedAts) -> None:
    """The Lever API: each file uploaded first, then the form mirrored as JSON."""
    (kept,) = ats.kept
    assert kept.auth == basic(LEVER_KEY)
    assert isinstance(ats, FakeLever)
    uploads = {uri: file["data"] for uri, file in ats.uploads.items()}
    assert sorted(uploads.values()) == sorted([PDF, SAMPLE])
    resume_uri = next(uri for uri, data in uploads.items() if data == PDF)
    sample_uri = next(uri for uri, data in uploads.items() if data == SAMPLE)
    assert kept.answers == {
        "personalInformation": [
            {"name": "fullName", "value": f"Jane {SENTINEL}name Doe"},
            {"name": "email", "value": email_of(0)},
            {"name": "phone", "value": "+49 30 1234 5678"},
            {"name": "currentCompany", "value": "Acme"},
            {"name": "resume", "value": resume_uri},
            {"name": "additionalInformation", "value": f"Thanks. {SENTINEL}note"},
        ],
        "urls": [{"name": "LinkedIn", "value": "https://linkedin.com/in/jane"}],
        "customQuestions": [{
            "id": LEVER_CARD,
            "fields": [  # by position; option texts; null where unanswered
                {"value": "Yes"}, {"value": "1 month"}, {"value": ["English", "German"]},
                {"value": None}, {"value": sample_uri},
            ],
        }],
    }  # fmt: skip
    assert [(f["field"], f["name"]) for f in ats.uploads.values()] == [
        ("file", f"{SENTINEL}-cv.pdf"), ("file", f"{SENTINEL}-sample.txt"),
    ]  # fmt: skip


def lever_postings_received(ats: ScriptedAts) -> None:
    """The Postings API: form fields and the resume as a file part, the key as `?key=`."""
    (kept,) = ats.kept
    assert kept.auth == f"key={LEVER_POSTINGS_KEY}", "the Postings API key, as ?key="
    assert kept.answers == {
        "name": f"Jane {SENTINEL}name Doe",
        "email": email_of(0),
        "phone": "+49 30 1234 5678",
        "org": "Acme",
        "urls[LinkedIn]": "https://linkedin.com/in/jane",
        "comments": f"Thanks. {SENTINEL}note",
    }
    assert [(f["field"], f["name"], f["content_type"], f["data"]) for f in kept.files] == [
        ("resume", f"{SENTINEL}-cv.pdf", "application/pdf", PDF),
    ]


def ashby_received(ats: ScriptedAts) -> None:
    """`applicationForm.submit`: multipart, values by field type, the file as a part."""
    (kept,) = ats.kept
    assert kept.auth == basic(ASHBY_KEY)
    field = "0f3e2d1c-0000-4000-8000-00000000000{}".format
    assert kept.answers == {
        "jobPostingId": ASHBY_POSTING,
        "_systemfield_name": f"Jane {SENTINEL}name Doe",
        "_systemfield_email": email_of(0),
        "_systemfield_resume": "file1",  # the name of the file part
        field(1): "+49 30 1234 5678",
        field(2): "https://linkedin.com/in/jane",
        field(3): "5-10 years",  # ValueSelect: the option's value
        field(4): ["English", "German"],
        field(5): True,
        field(6): 7,  # Number: an integer
        field(7): "2027-01-15",
        field(8): f"Because. {SENTINEL}why",
        "_systemfield_location": {"city": "Berlin", "country": "DE"},
    }
    assert [(f["field"], f["name"], f["data"]) for f in kept.files] == [
        ("file1", f"{SENTINEL}-cv.pdf", PDF),
    ]


async def refused_with_the_reasons_masked(
    pipeline: Pipeline, status: int, body: dict[str, object]
) -> None:
    """A 2xx whose `body` refuses the application: failed as rejected, not delivered, its
    reasons kept with the candidate's data masked, and never sent again."""
    pipeline.ats.then(Step(status=status, record=False, body=body))
    accepted = await pipeline.accept()
    worker = pipeline.worker()
    await worker.run_once()
    record = await pipeline.store.show(accepted.application_id)
    assert (record.status, record.failure_reason) == (
        ApplicationStatus.FAILED, FailureReason.REJECTED,
    ), "a 2xx is not success until the body says so"  # fmt: skip
    assert record.ats_application_id is None
    assert "[personal data]" in (record.last_error or ""), record.last_error
    assert SENTINEL not in (record.last_error or "")
    assert pipeline.ats.kept == []
    pipeline.clock.advance(7 * 24 * 3600)
    assert await worker.run_once() == 0, "a refusal is not retried"
