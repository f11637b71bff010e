"""The apply page renders every question type as the right form control, escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from embloy_ats.model import Job, Question, QuestionOption, QuestionType
from embloy_ats.public import PublicJob
from embloy_ats.service.apply_page import render_apply_page
from embloy_ats.service.tokens import RequestClaims

CLAIMS = RequestClaims("t", "fake", "7", None, None, 0, "j")


def q(qid: str, kind: QuestionType, **extra: object) -> Question:
    return Question.model_validate({"id": qid, "label": f"Label {qid}", "type": kind} | extra)


def test_every_question_type_gets_its_control() -> None:
    options = (QuestionOption(id="a", label="Alpha"), QuestionOption(id="b", label="Beta"))
    job = Job(
        connector="fake",
        external_id="7",
        title="Engineer <script>alert(1)</script>",
        fetched_at=datetime.now(UTC),
        description_html="<p>Hi</p><script>alert(2)</script>",
        questions=(
            q("short", QuestionType.SHORT_TEXT, required=True),
            q("long", QuestionType.LONG_TEXT),
            q("mail", QuestionType.EMAIL, required=True),
            q("tel", QuestionType.PHONE),
            q("site", QuestionType.LINK),
            q("when", QuestionType.DATE),
            q("years", QuestionType.NUMBER),
            q("yn", QuestionType.YES_NO, required=True),
            q("one", QuestionType.SINGLE_CHOICE, options=options, required=True),
            q("many", QuestionType.MULTIPLE_CHOICE, options=options),
            q("cv", QuestionType.FILE, accepted_file_types=(".pdf", ".docx"), required=True),
            q("where", QuestionType.LOCATION),
            q("odd", QuestionType.UNKNOWN, label='"><img src=x onerror=alert(3)>'),
        ),
    )
    page = render_apply_page(PublicJob.of(job), CLAIMS, stale=False)
    assert "<script" not in page
    assert "onerror=alert(3)>" not in page
    controls = dict(re.findall(r'data-question="([^"]+)" data-type="([^"]+)"', page))
    assert controls == {q.id: q.type.value for q in job.questions}
    assert '<input type="text" id="q_short" name="q_short" required>' in page
    assert '<textarea id="q_long" name="q_long" rows="5"></textarea>' in page
    assert '<input type="email" id="q_mail" name="q_mail" required>' in page
    assert '<input type="tel" id="q_tel"' in page
    assert '<input type="url" id="q_site"' in page
    assert '<input type="date" id="q_when"' in page
    assert '<input type="number" id="q_years"' in page
    assert '<input type="radio" name="q_yn" value="yes" required>' in page
    assert '<select id="q_one" name="q_one" required>' in page
    assert '<option value="b">Beta</option>' in page
    assert page.count('type="checkbox" name="q_many"') == 2
    assert '<input type="file" id="q_cv" name="q_cv" accept=".pdf,.docx" required>' in page
    assert page.count(" required") == 5  # short, mail, yn (one radio), one, cv


def test_a_stale_job_says_so() -> None:
    job = PublicJob.of(
        Job(connector="fake", external_id="7", title="T", fetched_at=datetime.now(UTC))
    )
    assert 'class="stale"' in render_apply_page(job, CLAIMS, stale=True)
    assert 'class="stale"' not in render_apply_page(job, CLAIMS, stale=False)
