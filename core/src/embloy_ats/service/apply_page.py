"""The apply page: the resolved job and its application questions rendered as a form.

The visible proof that the normalised model carries what an apply form needs: every
question type maps to an input, required flags and options included. Every value is
escaped; the description is the model's sanitised HTML. No script on the page. The page
reads the job's public view only, so nothing the employer did not publish can reach it.
"""

from __future__ import annotations

from html import escape

from embloy_ats.model import QuestionType
from embloy_ats.public import PublicJob, PublicQuestion
from embloy_ats.service.candidate import NO_WAY_BACK, CandidateFailure
from embloy_ats.service.tokens import RequestClaims

_INPUT_TYPES = {
    QuestionType.SHORT_TEXT: "text",
    QuestionType.EMAIL: "email",
    QuestionType.PHONE: "tel",
    QuestionType.LINK: "url",
    QuestionType.DATE: "date",
    QuestionType.NUMBER: "number",
    QuestionType.LOCATION: "text",
    QuestionType.UNKNOWN: "text",
}
_STYLE = """
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
header p{color:#555;margin:.2rem 0}.stale{background:#fff4d6;padding:.5rem;border-radius:4px}
form{margin-top:2rem;border-top:1px solid #ddd;padding-top:1rem}
.q{margin:1rem 0}.q .t{display:block;font-weight:600;margin-bottom:.3rem}
.q small{display:block;color:#666}input[type=text],input[type=email],input[type=tel],
input[type=url],input[type=number],input[type=date],textarea,select{width:100%;padding:.4rem}
.req{color:#b00}button{padding:.6rem 1.4rem;font-size:1rem}
.actions a{margin-right:1.2rem}.ref{color:#666;font-size:.9rem;margin-top:2rem}
"""


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _question(q: PublicQuestion) -> str:
    name = _attr(f"q_{q.id}")
    required = " required" if q.required else ""
    star = ' <span class="req" aria-hidden="true">*</span>' if q.required else ""
    label = f'<label class="t" for="{name}">{escape(q.label)}{star}</label>'
    hint = f"<small>{escape(q.description)}</small>" if q.description else ""
    kind = q.type
    if kind is QuestionType.LONG_TEXT:
        control = f'<textarea id="{name}" name="{name}" rows="5"{required}></textarea>'
    elif kind is QuestionType.FILE:
        accept = ",".join(q.accepted_file_types)
        accept_attr = f' accept="{_attr(accept)}"' if accept else ""
        control = f'<input type="file" id="{name}" name="{name}"{accept_attr}{required}>'
    elif kind is QuestionType.YES_NO:
        control = "".join(
            f'<label><input type="radio" name="{name}" value="{value}"'
            f"{required if value == 'yes' else ''}> {text}</label> "
            for value, text in (("yes", "Yes"), ("no", "No"))
        )
        label = f'<span class="t">{escape(q.label)}{star}</span>'
    elif kind is QuestionType.SINGLE_CHOICE:
        options = "".join(
            f'<option value="{_attr(o.id)}">{escape(o.label)}</option>' for o in q.options
        )
        control = (
            f'<select id="{name}" name="{name}"{required}>'
            f'<option value="">Choose...</option>{options}</select>'
        )
    elif kind is QuestionType.MULTIPLE_CHOICE:
        control = "".join(
            f'<label><input type="checkbox" name="{name}" value="{_attr(o.id)}"> '
            f"{escape(o.label)}</label><br>"
            for o in q.options
        )
        label = f'<span class="t">{escape(q.label)}{star}</span>'
    else:
        control = f'<input type="{_INPUT_TYPES[kind]}" id="{name}" name="{name}"{required}>'
    return (
        f'<div class="q" data-question="{_attr(q.id)}" data-type="{kind.value}">'
        f"{label}{hint}{control}</div>"
    )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def render_apply_page(job: PublicJob, claims: RequestClaims, *, stale: bool) -> str:
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
    questions = "".join(_question(q) for q in job.questions)
    cancel = f' <a href="{_attr(claims.cancel_url)}">Cancel</a>' if claims.cancel_url else ""
    body = (
        f"<header><h1>{escape(job.title)}</h1>{header}</header>{notice}"
        f'<article class="description">{job.description_html}</article>'
        f'<form id="apply" method="post" enctype="multipart/form-data" '
        f'data-job="{_attr(job.slug)}"><h2>Apply with Embloy</h2>{questions}'
        f'<button type="submit">Apply</button>{cancel}</form>'
    )
    return _page(f"{job.title} - Apply with Embloy", body)


def render_error_page(failure: CandidateFailure) -> str:
    """Plain words, a way back, and the reference the log line carries too."""
    words = failure.words
    links = ['<a href="">Try again</a>'] if words.retry else []  # "": this very page
    if failure.cancel_url:
        links.append(f'<a href="{_attr(failure.cancel_url)}">Go back</a>')
    no_way_back = "" if failure.cancel_url else f"<p>{escape(NO_WAY_BACK)}</p>"
    actions = f'<p class="actions">{"".join(links)}</p>' if links else ""
    return _page(
        "Apply with Embloy",
        f'<main data-status="{failure.status}" data-code="{_attr(failure.code)}">'
        f"<h1>We could not open this application</h1><h2>{escape(words.title)}</h2>"
        f"<p>{escape(words.text)}</p>{no_way_back}{actions}"
        f'<p class="ref">If you contact us, quote this reference: '
        f"<code>{escape(failure.request_id)}</code></p></main>",
    )
