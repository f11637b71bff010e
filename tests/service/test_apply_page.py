"""The apply page renders every question type as the right form control, escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from embloy_ats.model import Job, Question, QuestionOption, QuestionType
from embloy_ats.public import PublicJob
from embloy_ats.service.apply_page import FormState, render_apply_page
from embloy_ats.service.candidate import NO_WAY_BACK
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
    assert '<input type="text" id="q_short" name="answer.short" value="" required>' in page
    assert '<textarea id="q_long" name="answer.long" rows="5"></textarea>' in page
    assert '<input type="email" id="q_mail" name="answer.mail" autocomplete="email"' in page
    assert '<input type="tel" id="q_tel" name="answer.tel" autocomplete="tel"' in page
    # a link as candidates type it ("linkedin.com/in/you"): the service completes it
    assert '<input type="text" id="q_site" name="answer.site" inputmode="url"' in page
    assert '<input type="date" id="q_when" name="answer.when"' in page
    assert '<input type="number" id="q_years" name="answer.years" step="any"' in page
    assert re.search(
        r'<fieldset class="q" id="q_yn" [^>]*><legend class="t">Label yn <span class="req"',
        page,
    ), "a radio group is a fieldset with a legend"
    assert '<input type="radio" name="answer.yn" value="yes" required>' in page
    assert '<select id="q_one" name="answer.one" required>' in page
    assert '<option value="b">Beta</option>' in page
    assert re.search(r'<fieldset class="q" id="q_many" [^>]*><legend class="t">Label many<', page)
    assert page.count('type="checkbox" name="answer.many"') == 2
    assert '<input type="file" id="q_cv" name="answer.cv" accept=".pdf,.docx" required>' in page
    assert page.count(" required") == 5  # short, mail, yn (one radio), one, cv
    assert page.count('class="req"') == 6  # the five questions, and the note saying what * means


def test_a_stale_job_says_so() -> None:
    job = PublicJob.of(
        Job(connector="fake", external_id="7", title="T", fetched_at=datetime.now(UTC))
    )
    assert 'class="stale"' in render_apply_page(job, CLAIMS, stale=True)
    assert 'class="stale"' not in render_apply_page(job, CLAIMS, stale=False)


def _job(*questions: Question) -> PublicJob:
    return PublicJob.of(
        Job(connector="fake", external_id="7", title="T", fetched_at=datetime.now(UTC),
            questions=questions)
    )  # fmt: skip


OPTIONS = (QuestionOption(id="a", label="Alpha"), QuestionOption(id="b", label="Beta"))
WAY_BACK = RequestClaims("t", "fake", "7", None, "https://partner.example/back", 0, "j")


def test_the_form_posts_multipart_with_its_token_and_key() -> None:
    form = FormState('tok"en', "key-1")
    page = render_apply_page(_job(q("x", QuestionType.SHORT_TEXT)), WAY_BACK, stale=False,
                             form=form)  # fmt: skip
    assert (
        '<form id="apply" method="post" action="/api/v0/sdk/apply" '
        'enctype="multipart/form-data" accept-charset="utf-8"'
    ) in page
    assert '<input type="hidden" name="request_token" value="tok&quot;en">' in page
    assert '<input type="hidden" name="idempotency_key" value="key-1">' in page
    assert '<button type="submit">Send application</button>' in page
    assert '<a href="https://partner.example/back">Cancel</a>' in page
    assert 'class="summary"' not in page


def test_a_refused_form_shows_each_error_next_to_its_field_with_the_answers_kept() -> None:
    job = _job(
        q("name", QuestionType.SHORT_TEXT, required=True),
        q("mail", QuestionType.EMAIL, required=True),
        q("letter", QuestionType.LONG_TEXT),
        q("yn", QuestionType.YES_NO),
        q("one", QuestionType.SINGLE_CHOICE, options=OPTIONS),
        q("many", QuestionType.MULTIPLE_CHOICE, options=OPTIONS),
        q("cv", QuestionType.FILE, required=True),
    )
    form = FormState(
        "token",
        "key-1",
        values={
            "answer.mail": ['a"><script>alert(1)</script>@example.org'],
            "answer.letter": ["Dear </textarea><script>x</script>"],
            "answer.yn": ["no"],
            "answer.one": ["b"],
            "answer.many": ["a", "b"],
        },
        errors={
            "answer.name": "This question needs an answer.",
            "answer.cv": "This question needs a file.",
            "answer.gone": "This question is not part of this job any more; reload the page.",
        },
    )
    page = render_apply_page(job, WAY_BACK, stale=False, form=form, max_file_bytes=10 * 1024**2)
    assert "<script" not in page
    name = re.search(r'<div class="q" data-question="name".*?</div>', page)
    assert name is not None
    assert (
        '<p class="error" id="e_name">This question needs an answer.</p>'
        '<input type="text" id="q_name" name="answer.name" value="" required '
        'aria-invalid="true" aria-describedby="e_name">'
    ) in name.group(0), "the error sits next to its field, and the field points to it"
    assert 'value="a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@example.org"' in page
    assert "Dear &lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>" in page
    assert '<input type="radio" name="answer.yn" value="no" checked>' in page
    assert '<option value="b" selected>Beta</option>' in page
    assert page.count(" checked>") == 3  # no, Alpha, Beta
    cv = re.search(r'<div class="q" data-question="cv".*?</div>', page)
    assert cv is not None
    assert "Attach the file again" in cv.group(0)
    assert "Up to 10 MiB" in cv.group(0)
    assert '<a href="#q_name">Label name</a>: This question needs an answer.' in page
    assert "<li>This question is not part of this job any more; reload the page.</li>" in page
    assert 'role="alert"' in page


def test_a_job_whose_ats_takes_no_applications_has_no_form_and_says_so() -> None:
    job = _job(q("name", QuestionType.SHORT_TEXT, required=True))
    page = render_apply_page(job, WAY_BACK, stale=False, takes_applications=False)
    assert "<form" not in page
    assert "<button" not in page
    assert "does not take applications through Embloy yet" in page
    assert '<a href="https://partner.example/back">Go back</a>' in page
    assert "<fieldset disabled>" in page  # what the employer asks, not for filling in
    assert 'data-question="name"' in page
    no_way_back = render_apply_page(job, CLAIMS, stale=False, takes_applications=False)
    assert NO_WAY_BACK in no_way_back.replace("&#x27;", "'")
