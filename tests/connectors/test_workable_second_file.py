"""The apply page may take more than one file per question (EMBLOY_ATS_APPLY_MAX_FILES_PER_
QUESTION): an application is never delivered with one of its files silently left out."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from embloy_ats.applications import Application, SubmitRejected, UploadedFile
from embloy_ats.model import Job, Question, QuestionCategory, QuestionType
from embloy_ats_workable import apply

PDF = b"%PDF-1.4 cv"


def test_a_second_resume_is_sent_or_refused_never_dropped() -> None:
    job = Job(
        connector="workable", external_id="ABC123", title="Dev", fetched_at=datetime.now(UTC),
        questions=(Question(id="resume", label="Resume", type=QuestionType.FILE,
                            category=QuestionCategory.STANDARD),),
    )  # fmt: skip
    files = (UploadedFile("cv.pdf", "application/pdf", PDF),
             UploadedFile("letter.pdf", "application/pdf", PDF + b" letter"))  # fmt: skip
    application = Application(
        id="a1", tenant_id="t", mode="workable", job_id="ABC123", answers={},
        files={"resume": files}, created_at=time.time(),
    )  # fmt: skip
    try:
        sent = apply.body(job, application)
    except SubmitRejected:
        return  # refused before sending: the candidate is told
    text = repr(sent)
    assert "letter.pdf" in text, "the second file was accepted from the candidate but not sent"
