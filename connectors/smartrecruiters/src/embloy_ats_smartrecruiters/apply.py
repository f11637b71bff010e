"""What a SmartRecruiters application takes (Application API, `POST /postings/{uuid}/candidates`):
the standard fields every job carries."""

from __future__ import annotations

from embloy_ats.contract import (
    Question,
    QuestionCategory,
    QuestionType,
)

#: resumes and attachments it takes.
FILE_TYPES = ("pdf", "doc", "docx", "rtf", "jpg", "jpeg", "png")
RESUME = "resume"
ATTACHMENT = "attachments"

STANDARD_QUESTIONS = (
    Question(id="firstName", label="First name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="lastName", label="Last name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="email", label="Email", type=QuestionType.EMAIL, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="phoneNumber", label="Phone", type=QuestionType.PHONE,
             category=QuestionCategory.STANDARD),
    Question(id=RESUME, label="Resume", type=QuestionType.FILE, accepted_file_types=FILE_TYPES,
             category=QuestionCategory.STANDARD),
    Question(id=ATTACHMENT, label="Other document (e.g. a cover letter)",
             type=QuestionType.FILE, accepted_file_types=FILE_TYPES,
             category=QuestionCategory.STANDARD),
    Question(id="messageToHiringManager", label="Message to the hiring manager",
             type=QuestionType.LONG_TEXT, category=QuestionCategory.STANDARD),
)  # fmt: skip
