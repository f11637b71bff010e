"""Answers against a Job's questions: typed answers, or per-field errors; never a crash."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from embloy_ats import Job
from embloy_ats.applications import (
    InvalidApplication,
    Limits,
    UploadedFile,
    ValidAnswers,
    validate_answers,
)
from embloy_ats.applications.filetypes import FileKind, accepted_kinds, name_for, sniff
from embloy_ats.model import Question, QuestionOption, QuestionType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.apply_ats import QUESTIONS
from tests.applications.conftest import PDF, form

JOB = Job(
    connector="applyats", external_id="42", title="Delivery Engineer", questions=QUESTIONS,
    fetched_at=datetime(2026, 11, 28, tzinfo=UTC),
)  # fmt: skip
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
_WORDS = st.from_regex(r"[A-Za-z][A-Za-z ]{0,20}", fullmatch=True)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def valid(result: object) -> ValidAnswers:
    assert isinstance(result, ValidAnswers), getattr(result, "fields", result)
    return result


def errors(result: object) -> dict[str, str]:
    assert isinstance(result, InvalidApplication), result
    return result.fields


def test_a_complete_form_gives_typed_answers() -> None:
    fields, files = form()
    checked = valid(validate_answers(JOB, fields, files))
    answers = checked.answers
    assert answers["permit"] is True
    assert answers["start"] == "s2"
    assert answers["languages"] == ("en", "de")
    assert answers["years"] == Decimal("7.5")
    assert answers["available"] == date(2027, 1, 15)
    assert answers["profile"] == "https://linkedin.com/in/jane"
    assert "request_token" not in answers
    (resume,) = checked.files["resume"]
    assert (resume.content_type, resume.data) == ("application/pdf", PDF)


@pytest.mark.parametrize(
    ("field", "values", "why"),
    [
        ("name", [], "needs an answer"),
        ("name", ["   "], "needs an answer"),
        ("email", ["not-an-email"], "email address"),
        ("phone", ["call me maybe"], "phone number"),
        ("permit", ["maybe"], "yes or no"),
        ("permit", [], "needs an answer"),
        ("start", ["s9"], "listed options"),
        ("start", ["s1", "s2"], "one answer only"),
        ("languages", ["en", "xx"], "listed options"),
        ("years", ["seven"], "a number"),
        ("years", ["1e5"], "a number"),
        ("available", ["15.01.2027"], "YYYY-MM-DD"),
        ("available", ["2027-02-30"], "exists"),
        ("profile", ["javascript:alert(1)"], "web address"),
        ("profile", ["https://localhost"], "web address"),
        ("name", ["Jane\x00Doe"], "cannot take"),
        ("name", ["Jane\nDoe"], "one line"),
        ("letter", ["x" * 20_001], "under 20000"),
        ("resume", ["some text"], "Attach a file"),
    ],
)
def test_each_problem_is_named_on_its_field(field: str, values: list[str], why: str) -> None:
    fields, files = form()
    fields[f"answer.{field}"] = values
    if field == "resume":
        files = {}
    found = errors(validate_answers(JOB, fields, files))
    assert list(found) == [f"answer.{field}"]
    assert why in found[f"answer.{field}"]
    for value in values:
        if len(value.strip()) >= 4:
            assert value not in found[f"answer.{field}"], "what was typed is not repeated"


def test_a_missing_required_file_and_an_unknown_question_are_errors() -> None:
    fields, _ = form()
    fields["answer.nonexistent"] = ["hello"]
    found = errors(validate_answers(JOB, fields, {}))
    assert set(found) == {"answer.resume", "answer.nonexistent"}


def test_empty_optional_answers_and_an_empty_file_input_are_left_out() -> None:
    fields, files = form()
    for name in ("phone", "letter", "start", "languages", "years", "available", "profile"):
        fields[f"answer.{name}"] = [""]
    files["answer.extra"] = [UploadedFile("", "application/octet-stream", b"")]
    checked = valid(validate_answers(JOB, fields, files))
    assert set(checked.answers) == {"name", "email", "permit"}


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "accepted_as"),
    [
        ("cv.pdf", PDF, ("cv.pdf", "application/pdf")),
        ("cv.docx", PDF, ("cv.pdf", "application/pdf")),  # named wrong: the content decides
        ("../../etc/cv", docx(), ("cv.docx", "application/vnd.openxmlformats-officedocument"
                                              ".wordprocessingml.document")),
        ("notes.txt", "Grüße, Jane\n".encode(), ("notes.txt", "text/plain")),
    ],
)  # fmt: skip
def test_a_file_is_judged_by_its_content(
    name: str, data: bytes, accepted_as: tuple[str, str]
) -> None:
    fields, files = form()
    files["answer.resume"] = [UploadedFile(name, "application/pdf", data)]
    (resume,) = valid(validate_answers(JOB, fields, files)).files["resume"]
    assert (resume.name, resume.content_type) == accepted_as


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200),  # a Windows executable
        b"\x7fELF\x02\x01\x01" + bytes(100),
        b"\x89PNG\r\n\x1a\n" + bytes(100),  # a picture, where documents are asked for
        b"<html><script>alert(1)</script></html>\x00",
    ],
)
def test_a_file_of_a_type_the_question_does_not_accept_is_refused(data: bytes) -> None:
    fields, files = form()
    files["answer.resume"] = [UploadedFile("cv.pdf", "application/pdf", data)]
    found = errors(validate_answers(JOB, fields, files))
    assert "not accepted" in found["answer.resume"]
    assert ".pdf" in found["answer.resume"], "the message says what is accepted"


def test_file_size_caps_hold() -> None:
    fields, files = form()
    big = PDF + b"x" * 2048
    files["answer.resume"] = [UploadedFile("cv.pdf", "application/pdf", big)]
    found = errors(validate_answers(JOB, fields, files, Limits(max_file_bytes=2048)))
    assert "larger than 2 KiB" in found["answer.resume"]
    files["answer.resume"] = [UploadedFile("cv.pdf", "application/pdf", PDF)] * 2
    assert "one file only" in errors(validate_answers(JOB, fields, files))["answer.resume"]
    files["answer.resume"] = [UploadedFile("cv.pdf", "application/pdf", b"")]
    assert "empty" in errors(validate_answers(JOB, fields, files))["answer.resume"]
    assert Limits().max_file_bytes == 10 * 1024 * 1024


def test_files_are_refused_where_text_is_asked() -> None:
    fields, files = form()
    files["answer.letter"] = [UploadedFile("letter.pdf", "application/pdf", PDF)]
    assert "not a file" in errors(validate_answers(JOB, fields, files))["answer.letter"]


# -- file kinds ---------------------------------------------------------------------------------


def test_sniffing_knows_the_usual_document_and_picture_formats() -> None:
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office/>")
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    word97 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "WordDocument".encode("utf-16-le")
    excel97 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "Workbook".encode("utf-16-le")
    cases = {
        PDF: FileKind.PDF,
        docx(): FileKind.DOCX,
        odt.getvalue(): FileKind.ODT,
        word97: FileKind.DOC,
        b"{\\rtf1\\ansi Hello}": FileKind.RTF,
        "Hello\r\n\tWorld".encode("utf-16"): FileKind.TXT,
        b"\x89PNG\r\n\x1a\n....": FileKind.PNG,
        b"\xff\xd8\xff\xe0..JFIF": FileKind.JPEG,
        b"GIF89a....": FileKind.GIF,
        b"RIFF\x00\x00\x00\x00WEBPVP8 ": FileKind.WEBP,
        xlsx.getvalue(): None,
        excel97: None,
        b"PK\x03\x04 broken zip": None,
        bytes(range(256)): None,
        b"": None,
    }
    for data, kind in cases.items():
        assert sniff(data) is kind, (data[:20], kind)


def test_accepted_types_are_read_as_extensions_or_media_types() -> None:
    assert accepted_kinds((".pdf", "DOCX")).kinds == {FileKind.PDF, FileKind.DOCX}
    assert accepted_kinds(("application/msword",)).kinds == {FileKind.DOC}
    assert accepted_kinds(("image/*",)).kinds == {
        FileKind.PNG, FileKind.JPEG, FileKind.GIF, FileKind.WEBP,
    }  # fmt: skip
    assert FileKind.PDF in accepted_kinds(()).kinds, "no types named: documents and pictures"
    pages = accepted_kinds((".pages",))
    assert not pages.kinds
    assert pages.unjudged == {".pages"}
    assert name_for("cv.final.DOCX", FileKind.DOCX) == "cv.final.DOCX"
    assert name_for("cv", FileKind.JPEG) == "cv.jpg"


# -- properties ---------------------------------------------------------------------------------

_IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=8)
_TYPES = st.sampled_from(list(QuestionType))
_VALUE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["yes", "no", "42", "-3.5", "2027-01-15", "a@b.io", "+1 555 123 4567",
                     "https://x.example/p", "o1", "o2", "", " ", "\x00", "\ud800"]),
)  # fmt: skip
_FILE = st.builds(
    UploadedFile,
    name=st.text(max_size=30),
    content_type=st.text(max_size=20),
    data=st.one_of(st.binary(max_size=64), st.just(PDF), st.just(b"")),
)


@st.composite
def jobs(draw: st.DrawFn) -> Job:
    ids = draw(st.lists(_IDS, min_size=0, max_size=6, unique=True))
    questions = []
    for question_id in ids:
        kind = draw(_TYPES)
        options: tuple[QuestionOption, ...] = ()
        if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            count = draw(st.integers(0, 3))
            options = tuple(QuestionOption(id=f"o{n}", label=f"O{n}") for n in range(count))
        accepted = draw(st.sampled_from([(), (".pdf",), (".pdf", ".docx"), ("image/*",)]))
        questions.append(
            Question(id=question_id, label=question_id, type=kind, required=draw(st.booleans()),
                     options=options,
                     accepted_file_types=accepted if kind is QuestionType.FILE else ())
        )  # fmt: skip
    return JOB.model_copy(update={"questions": tuple(questions)})


@FUZZ
@given(data=st.data())
def test_any_form_gives_typed_answers_or_field_errors_never_a_crash(data: st.DataObject) -> None:
    job = data.draw(jobs(), label="job")
    names = [f"answer.{q.id}" for q in job.questions] + ["answer.other", "request_token", "x"]
    # what a form parser might hand over: lists of values, or a bare value
    fields = data.draw(
        st.dictionaries(st.sampled_from(names), st.one_of(st.lists(_VALUE, max_size=3), _VALUE)),
        label="fields",
    )
    files: dict[str, Any] = data.draw(
        st.dictionaries(st.sampled_from(names), st.one_of(st.lists(_FILE, max_size=2), _FILE)),
        label="files",
    )
    limits = Limits(max_file_bytes=40, max_total_file_bytes=60, max_short_text=25)
    result = validate_answers(job, fields, files, limits)
    if isinstance(result, InvalidApplication):
        assert result.fields
        typed = [v for vs in fields.values() for v in ([vs] if isinstance(vs, str) else vs)]
        for name, why in result.fields.items():
            assert name.startswith("answer.")
            for text in typed:
                assert len(text.strip()) < 8 or text.strip() not in why, "never echoed"
            assert isinstance(why, str)
            assert why.endswith(".")
        assert result.to_json()["error"]["code"] == "invalid_application"
        return
    assert isinstance(result, ValidAnswers)
    by_id = {q.id: q for q in job.questions}
    for question in job.questions:
        answered = question.id in result.answers or question.id in result.files
        if question.required:
            assert answered, question
    for question_id, value in result.answers.items():
        kind = by_id[question_id].type
        expected: Any = {
            QuestionType.YES_NO: bool, QuestionType.NUMBER: Decimal, QuestionType.DATE: date,
            QuestionType.MULTIPLE_CHOICE: tuple,
        }.get(kind, str)  # fmt: skip
        assert isinstance(value, expected), (kind, value)
        if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            options = {o.id for o in by_id[question_id].options}
            chosen = value if isinstance(value, tuple) else (value,)
            assert not options or set(chosen) <= options
    total = 0
    for question_id, files_given in result.files.items():
        assert by_id[question_id].type is QuestionType.FILE
        for file in files_given:
            assert 0 < file.size <= limits.max_file_bytes
            total += file.size
    assert total <= limits.max_total_file_bytes


@FUZZ
@given(data=st.data())
def test_every_valid_form_is_accepted(data: st.DataObject) -> None:
    """A form filled in as the apply page asks is accepted, whatever the job's questions."""
    job = data.draw(jobs(), label="job")
    fields: dict[str, list[str]] = {}
    files: dict[str, list[UploadedFile]] = {}
    examples = {
        QuestionType.YES_NO: ["no"], QuestionType.NUMBER: ["12"], QuestionType.DATE: ["2027-01-15"],
        QuestionType.EMAIL: ["a@b.io"], QuestionType.PHONE: ["+44 20 7946 0958"],
        QuestionType.LINK: ["https://x.example/me"],
    }  # fmt: skip
    for question in job.questions:
        if not question.required and data.draw(st.booleans()):
            continue
        name = f"answer.{question.id}"
        if question.type is QuestionType.FILE:
            picture = "image/*" in question.accepted_file_types
            files[name] = [UploadedFile("cv", "", PNG if picture else PDF)]
        elif question.options:
            fields[name] = [question.options[0].id]
        else:
            fields[name] = examples.get(question.type, [data.draw(_WORDS)])
    valid(validate_answers(job, fields, files))
