"""The apply page may take more than one file per question (EMBLOY_ATS_APPLY_MAX_FILES_PER_
QUESTION): an application is never delivered with one of its files silently left out.

The Workable connector sends one file per question, so a second one is refused when the
candidate sends it, naming Workable, and the one taken is what is sent."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from embloy_ats.applications import (
    Application,
    ApplicationService,
    InvalidApplication,
    Limits,
    UploadedFile,
    application_store_for,
    validate_answers,
)
from embloy_ats.crypto import KeyRing
from embloy_ats.model import Job, Question, QuestionCategory, QuestionType
from embloy_ats.registry import Registry
from embloy_ats_workable import apply

PDF = b"%PDF-1.4 cv"


def test_a_second_resume_is_sent_or_refused_never_dropped(tmp_path: Path) -> None:
    job = Job(
        connector="workable", external_id="ABC123", title="Dev", fetched_at=datetime.now(UTC),
        questions=(Question(id="resume", label="Resume", type=QuestionType.FILE,
                            category=QuestionCategory.STANDARD),),
    )  # fmt: skip
    files = (UploadedFile("cv.pdf", "application/pdf", PDF),
             UploadedFile("letter.pdf", "application/pdf", PDF + b" letter"))  # fmt: skip
    service = ApplicationService(
        application_store_for(f"sqlite:///{tmp_path}/unused.db", KeyRing([KeyRing.generate()])),
        registry=Registry.discover(), limits=Limits(max_files_per_question=3),
    )  # fmt: skip
    limits = service.limits_for("workable")
    refused = validate_answers(job, {}, {"answer.resume": files}, limits)
    assert isinstance(refused, InvalidApplication), "the second file was taken, not to be sent"
    assert refused.fields == {
        "answer.resume": "Attach one file only (only one file per question is sent to Workable)."
    }
    taken = validate_answers(job, {}, {"answer.resume": files[:1]}, limits)
    assert not isinstance(taken, InvalidApplication)
    application = Application(
        id="a1", tenant_id="t", mode="workable", job_id="ABC123", answers={},
        files=taken.files, created_at=time.time(),
    )  # fmt: skip
    assert "cv.pdf" in repr(apply.body(job, application)), "the file taken is sent"
