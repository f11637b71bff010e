"""The apply page: the resolved job and its application questions rendered as a form.

A real form that works without a script: it posts `multipart/form-data` to
`POST /api/v0/sdk/apply`, each answer named `answer.<question id>`, with the request token
that authorises it and a key that makes a double submit one application. When answers need
attention the service renders the page again, each error next to its field and the
candidate's answers kept (files must be attached again: the page says so).

Every value is escaped; the description is the model's sanitised HTML. No script on the
page. The page reads the job's public view only, so nothing the employer did not publish can
reach it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from embloy_ats.applications.validation import FIELD_PREFIX, size_text
from embloy_ats.model import QuestionType
from embloy_ats.public import PublicJob, PublicQuestion
from embloy_ats.service.candidate import NO_WAY_BACK, CandidateFailure
from embloy_ats.service.tokens import RequestClaims

#: where the form posts.
APPLY_PATH = "/api/v0/sdk/apply"
#: where a candidate lands after applying when the partner gave no `success_url`.
THANKS_PATH = "/sdk/apply/thanks"

_INPUT_TYPES = {
    QuestionType.SHORT_TEXT: "text",
    QuestionType.EMAIL: "email",
    QuestionType.PHONE: "tel",
    # text, not url: candidates type "linkedin.com/in/you", which the service completes
    QuestionType.LINK: "text",
    QuestionType.DATE: "date",
    QuestionType.NUMBER: "number",
    QuestionType.LOCATION: "text",
    QuestionType.UNKNOWN: "text",
}
_EXTRA = {
    QuestionType.EMAIL: ' autocomplete="email"',
    QuestionType.PHONE: ' autocomplete="tel"',
    QuestionType.LINK: ' inputmode="url"',
    QuestionType.NUMBER: ' step="any"',
}
_STYLE = """
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
header p{color:#555;margin:.2rem 0}.stale{background:#fff4d6;padding:.5rem;border-radius:4px}
form,.closed{margin-top:2rem;border-top:1px solid #ddd;padding-top:1rem}
.q{margin:1rem 0}.q .t{display:block;font-weight:600;margin-bottom:.3rem}
fieldset.q,fieldset[disabled]{border:0;padding:0}fieldset.q legend{padding:0}
.q small{display:block;color:#666}input[type=text],input[type=email],input[type=tel],
input[type=number],input[type=date],textarea,select{width:100%;padding:.4rem;box-sizing:border-box}
.req{color:#b00}button{padding:.6rem 1.4rem;font-size:1rem}
.error{color:#b00;font-weight:600;margin:.2rem 0}.again{color:#7a4b00}
.summary{border:2px solid #b00;padding:.5rem 1rem;margin:1rem 0}
.actions a{margin-right:1.2rem}.ref{color:#666;font-size:.9rem;margin-top:2rem}
"""


@dataclass(frozen=True)
class FormState:
    """What the form carries and, after a refusal, shows back to the candidate."""

    #: authorises the post (the page's own token).
    request_token: str
    #: one per rendering: a second submit of the same form is the same application.
    idempotency_key: str
    #: the candidate's answers as sent, by field name (`answer.<question id>`).
    values: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: what to fix, by field name.
    errors: Mapping[str, str] = field(default_factory=dict)

    @property
    def sent_back(self) -> bool:
        return bool(self.errors)


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _file_hint(q: PublicQuestion, max_file_bytes: int | None) -> str:
    kinds = ", ".join(
        t.lstrip(".").upper() if t.startswith(".") else t for t in q.accepted_file_types
    )
    size = f"up to {size_text(max_file_bytes)}" if max_file_bytes else ""
    text = "; ".join(part for part in (kinds, size) if part)
    return f"<small>{escape(text[:1].upper() + text[1:])}</small>" if text else ""


def _question(q: PublicQuestion, form: FormState | None, max_file_bytes: int | None) -> str:
    name = FIELD_PREFIX + q.id
    element = _attr(f"q_{q.id}")
    given = list(form.values.get(name, ())) if form else []
    first = next((value for value in given if value.strip()), "")
    error = form.errors.get(name) if form else None
    error_id = _attr(f"e_{q.id}")
    problem = f'<p class="error" id="{error_id}">{escape(error)}</p>' if error else ""
    invalid = f' aria-invalid="true" aria-describedby="{error_id}"' if error else ""
    required = " required" if q.required else ""
    star = ' <span class="req" aria-hidden="true">*</span>' if q.required else ""
    hint = f"<small>{escape(q.description)}</small>" if q.description else ""
    name_attr = _attr(name)
    kind = q.type
    group: str | None = None  # a group of radios or checkboxes: a fieldset with a legend
    if kind is QuestionType.LONG_TEXT:
        control = (
            f'<textarea id="{element}" name="{name_attr}" rows="5"{required}{invalid}>'
            f"{escape(first)}</textarea>"
        )
    elif kind is QuestionType.FILE:
        accept = ",".join(q.accepted_file_types)
        accept_attr = f' accept="{_attr(accept)}"' if accept else ""
        again = (
            '<p class="again">Attach the file again: files are not kept when the form '
            "comes back.</p>"
            if form is not None and form.sent_back
            else ""
        )
        hint += _file_hint(q, max_file_bytes)
        control = (
            f'{again}<input type="file" id="{element}" name="{name_attr}"{accept_attr}'
            f"{required}{invalid}>"
        )
    elif kind is QuestionType.YES_NO:
        chosen = first.casefold()
        group = "".join(
            f'<label><input type="radio" name="{name_attr}" value="{value}"'
            f"{' checked' if chosen == value else ''}"
            f"{required if value == 'yes' else ''}> {text}</label> "
            for value, text in (("yes", "Yes"), ("no", "No"))
        )
    elif kind is QuestionType.SINGLE_CHOICE and q.options:
        options = "".join(
            f'<option value="{_attr(o.id)}"{" selected" if o.id == first else ""}>'
            f"{escape(o.label)}</option>"
            for o in q.options
        )
        control = (
            f'<select id="{element}" name="{name_attr}"{required}{invalid}>'
            f'<option value="">Choose...</option>{options}</select>'
        )
    elif kind is QuestionType.MULTIPLE_CHOICE and q.options:
        group = "".join(
            f'<label><input type="checkbox" name="{name_attr}" value="{_attr(o.id)}"'
            f"{' checked' if o.id in given else ''}> {escape(o.label)}</label><br>"
            for o in q.options
        )
    else:  # a choice without options takes a typed answer
        kind_attr = _INPUT_TYPES.get(kind, "text")
        control = (
            f'<input type="{kind_attr}" id="{element}" name="{name_attr}"'
            f'{_EXTRA.get(kind, "")} value="{_attr(first)}"{required}{invalid}>'
        )
    data = f'data-question="{_attr(q.id)}" data-type="{kind.value}"'
    if group is not None:
        return (
            f'<fieldset class="q" id="{element}" {data}{invalid}>'
            f'<legend class="t">{escape(q.label)}{star}</legend>{hint}{problem}{group}</fieldset>'
        )
    label = f'<label class="t" for="{element}">{escape(q.label)}{star}</label>'
    return f'<div class="q" {data}>{label}{hint}{problem}{control}</div>'


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def _way_back(cancel_url: str | None, text: str) -> str:
    if cancel_url:
        return f'<a href="{_attr(cancel_url)}">{escape(text)}</a>'
    return ""


def _summary(job: PublicJob, form: FormState) -> str:
    """The errors at the top, each linking to its field (and those of no field it shows)."""
    labels = {FIELD_PREFIX + q.id: q for q in job.questions}
    items = []
    for name, why in form.errors.items():
        question = labels.get(name)
        if question is None:
            items.append(f"<li>{escape(why)}</li>")
        else:
            items.append(
                f'<li><a href="#{_attr("q_" + question.id)}">{escape(question.label)}</a>: '
                f"{escape(why)}</li>"
            )
    return (
        '<div class="summary" role="alert"><p><strong>Some answers need attention before '
        "your application can be sent.</strong></p>"
        f"<ul>{''.join(items)}</ul></div>"
    )


def render_apply_page(
    job: PublicJob,
    claims: RequestClaims,
    *,
    stale: bool,
    form: FormState | None = None,
    takes_applications: bool = True,
    max_file_bytes: int | None = None,
) -> str:
    """The page for `job`. Without `form` the form carries no token (a preview); with
    `takes_applications` false there is no form: plain words, the way back, and the
    questions shown disabled, for the candidate to know what the employer asks."""
    facts = [job.company or "", "; ".join(
        ", ".join(p for p in (loc.city, loc.region, loc.country_code) if p) or (loc.raw or "")
        for loc in job.locations
    )]  # fmt: skip
    if job.employment_type:
        facts.append(job.employment_type.value.replace("_", " "))
    if job.workplace_type:
        facts.append(job.workplace_type.value.replace("_", " "))
    for pay in job.compensation:
        amounts = "-".join(f"{a:,.0f}" for a in (pay.min_amount, pay.max_amount) if a is not None)
        per = f" per {pay.interval.value.replace('_', ' ')}" if pay.interval else ""
        facts.append(f"{pay.kind.value} {pay.currency or ''} {amounts}{per}".replace("  ", " "))
    header = "".join(f"<p>{escape(fact)}</p>" for fact in facts if fact)
    notice = (
        '<p class="stale" role="status">The employer\'s system is not answering; this is the '
        "last copy we have.</p>"
        if stale
        else ""
    )
    if takes_applications:
        section = _form(job, claims, form, max_file_bytes)
    else:
        back = _way_back(claims.cancel_url, "Go back")
        # What the employer asks, shown but not for filling in: no form, nothing to send.
        questions = "".join(_question(q, None, max_file_bytes) for q in job.questions)
        preview = (
            "<p>What the employer asks:</p><fieldset disabled>" + questions + "</fieldset>"
            if questions
            else ""
        )
        section = (
            '<section class="closed" data-takes-applications="false"><h2>Apply</h2>'
            "<p>This job does not take applications through Embloy yet. Please apply on the "
            "employer's own site instead.</p>"
            + (f'<p class="actions">{back}</p>' if back else f"<p>{escape(NO_WAY_BACK)}</p>")
            + preview
            + "</section>"
        )
    body = (
        f"<header><h1>{escape(job.title)}</h1>{header}</header>{notice}"
        f'<article class="description">{job.description_html}</article>{section}'
    )
    return _page(f"{job.title} - Apply with Embloy", body)


def _form(
    job: PublicJob, claims: RequestClaims, form: FormState | None, max_file_bytes: int | None
) -> str:
    questions = "".join(_question(q, form, max_file_bytes) for q in job.questions)
    hidden = ""
    if form is not None:
        hidden = (
            f'<input type="hidden" name="request_token" value="{_attr(form.request_token)}">'
            f'<input type="hidden" name="idempotency_key" value="{_attr(form.idempotency_key)}">'
        )
    summary = _summary(job, form) if form is not None and form.sent_back else ""
    required_note = (
        '<p><small>Questions marked <span class="req">*</span> need an answer.</small></p>'
        if any(q.required for q in job.questions)
        else ""
    )
    cancel = _way_back(claims.cancel_url, "Cancel")
    return (
        f'<form id="apply" method="post" action="{APPLY_PATH}" enctype="multipart/form-data" '
        f'accept-charset="utf-8" data-job="{_attr(job.slug)}"><h2>Apply with Embloy</h2>'
        f"{hidden}{summary}{required_note}{questions}"
        f'<p class="actions"><button type="submit">Send application</button> {cancel}</p></form>'
    )


def render_thanks_page() -> str:
    """Where a candidate lands after applying when the partner named no page of its own."""
    return _page(
        "Application sent - Apply with Embloy",
        '<main data-status="202"><h1>Thank you: your application is on its way</h1>'
        "<p>We have received it and are passing it on to the employer. They will contact "
        "you about the next steps.</p><p>You can close this page now.</p></main>",
    )


def render_error_page(
    failure: CandidateFailure,
    *,
    heading: str = "We could not open this application",
    retry_url: str = "",
) -> str:
    """Plain words, a way back, and the reference the log line carries too. "Try again"
    goes to `retry_url` ("": this very page)."""
    words = failure.words
    links = [f'<a href="{_attr(retry_url)}">Try again</a>'] if words.retry else []
    if failure.cancel_url:
        links.append(f'<a href="{_attr(failure.cancel_url)}">Go back</a>')
    no_way_back = "" if failure.cancel_url else f"<p>{escape(NO_WAY_BACK)}</p>"
    actions = f'<p class="actions">{"".join(links)}</p>' if links else ""
    return _page(
        "Apply with Embloy",
        f'<main data-status="{failure.status}" data-code="{_attr(failure.code)}">'
        f"<h1>{escape(heading)}</h1><h2>{escape(words.title)}</h2>"
        f"<p>{escape(words.text)}</p>{no_way_back}{actions}"
        f'<p class="ref">If you contact us, quote this reference: '
        f"<code>{escape(failure.request_id)}</code></p></main>",
    )
