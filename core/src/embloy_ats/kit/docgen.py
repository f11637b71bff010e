"""Documentation pages generated from the code, so they cannot drift from it.

`job_model_reference()` walks the pydantic `Job` model (fields, types, defaults, constraints,
enums); `supported_ats_matrix()` asks every installed connector to `describe()` itself. The
MkDocs hook renders both at build time; nothing generated is ever committed.

A field's description comes from the model (`Field(description=...)`), else from a `#:`
comment above it, else from `FIELD_NOTES` below. Every note must name a field the model has:
a renamed or removed field fails the docs build instead of leaving a stale line.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import AwareDatetime, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from embloy_ats.model import SCHEMA_VERSION, Job
from embloy_ats.registry import Registry

#: descriptions for fields the model does not describe itself (see the module docstring).
FIELD_NOTES: dict[str, str] = {
    "Job.schema_version": "Version of this JSON shape; raised on any breaking change.",
    "Job.connector": "The mode of the connector that fetched the job, e.g. `greenhouse`.",
    "Job.external_id": "The job's id in the ATS.",
    "Job.slug": "`<connector>__<external_id>`: derived when empty, checked when given.",
    "Job.title": "The job's title; never blank.",
    "Job.company": "The hiring company's name, as the ATS gives it.",
    "Job.requisition_code": "The employer's own requisition or reference code.",
    "Job.language": "The posting's language as the ATS states it, e.g. `en`.",
    "Job.description_html": "The description as HTML, sanitised by the model itself: no "
    "scripts, event handlers or `javascript:` links, whatever the connector passed in.",
    "Job.description_text": "The description as plain text; derived from `description_html` "
    "when not given.",
    "Job.status": "Whether the posting is open; ATS spellings the model does not know become "
    "`unknown`.",
    "Job.visibility": "Who may see the posting.",
    "Job.employment_type": "Full time, part time, contract...; unset when the ATS does not say.",
    "Job.workplace_type": "On site, hybrid or remote; unset when the ATS does not say.",
    "Job.locations": "Where the job is, each parsed into city, region and country where possible.",
    "Job.applicant_location_requirements": "ISO 3166-1 alpha-2 codes of the countries "
    "candidates must live in (remote jobs), without duplicates.",
    "Job.department": "The department, as the ATS names it.",
    "Job.team": "The team, as the ATS names it.",
    "Job.compensation": "Pay ranges, bonuses, equity and commission, as the ATS publishes them.",
    "Job.posting_url": "The public posting; only http(s) URLs are accepted.",
    "Job.apply_url": "Where to apply at the ATS; only http(s) URLs are accepted.",
    "Job.posted_at": "When the job was first published.",
    "Job.updated_at": "When the ATS last changed the job.",
    "Job.closes_at": "The application deadline.",
    "Job.questions": "The application form's questions; ids are unique within a job.",
    "Job.custom_fields": "ATS-specific fields that have no place in the model, by name.",
    "Job.raw": "The ATS's answers as fetched, keyed by request path and query (never a host or "
    "a credential): what the job was normalised from.",
    "Job.fetched_at": "When the connector fetched the job.",
    "Location.raw": "The location as the ATS wrote it.",
    "Location.street": "Street and number.",
    "Location.city": "City.",
    "Location.region": "State, province or region, as written (e.g. `CA`).",
    "Location.postal_code": "Postal code.",
    "Compensation.kind": "What the amount is: salary, bonus, equity, commission or other.",
    "Compensation.min_amount": "Lower bound, in `currency`.",
    "Compensation.max_amount": "Upper bound, in `currency`; never below `min_amount`.",
    "Compensation.interval": "What the amounts are paid per; unset when the ATS does not say.",
    "Compensation.raw": "The ATS's own wording of the pay, e.g. a range's title.",
    "QuestionOption.id": "The value to answer with.",
    "QuestionOption.label": "The text a candidate sees.",
    "Question.id": "The ATS's field id, to answer with; unique within a job.",
    "Question.label": "The question as a candidate reads it.",
    "Question.description": "Help text under the question.",
    "Question.type": "The kind of answer expected.",
    "Question.required": "Whether the application is refused without an answer.",
    "Question.options": "The choices of a single or multiple choice question.",
    "Question.accepted_file_types": "File extensions a file question accepts, e.g. `.pdf`.",
    "Question.category": "Standard (name, email...), custom, EEO or demographic.",
}

_SCALARS: dict[Any, str] = {
    str: "string",
    int: "integer",
    bool: "boolean",
    float: "number",
    Decimal: "decimal (a string in JSON)",
    datetime: "datetime",
    AwareDatetime: "datetime with timezone (ISO 8601)",
    Any: "any JSON value",
}


@dataclass
class _Collected:
    models: list[type[BaseModel]] = field(default_factory=list)
    enums: list[type[Enum]] = field(default_factory=list)


def _anchor(name: str) -> str:
    return name.lower()


def _type_text(annotation: Any, found: _Collected) -> str:
    """The annotation in words, with links to the models and enums it names."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        parts = [_type_text(arg, found) for arg in args if arg is not type(None)]
        return " or ".join(parts) + (" or null" if type(None) in args else "")
    if origin is typing.Annotated:
        return _type_text(args[0], found)
    if origin in (tuple, list, set, frozenset):
        return f"list of {_type_text(args[0], found)}" if args else "list"
    if origin is dict:
        return f"object of {_type_text(args[1], found)}" if len(args) == 2 else "object"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if annotation not in found.enums:
            found.enums.append(annotation)
        return f"[{annotation.__name__}](#{_anchor(annotation.__name__)})"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found.models:
            found.models.append(annotation)
        return f"[{annotation.__name__}](#{_anchor(annotation.__name__)})"
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    name = getattr(annotation, "__name__", None) or str(annotation)
    return "any JSON value" if name == "JsonValue" else f"`{name}`"


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        factory: Any = info.default_factory
        return f"`{factory()!r}`" if factory in (dict, list) else "derived"
    value = info.default
    if value is None:
        return "null"
    if value is PydanticUndefined:
        return "required"
    if isinstance(value, Enum):
        return f"`{value.value}`"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, tuple | list) and not value:
        return "`[]`"
    return f"`{value!r}`" if value != "" else '`""`'


def _constraints(info: FieldInfo) -> list[str]:
    words = {"min_length": "at least {} long", "ge": "at least {}", "gt": "above {}",
             "le": "at most {}", "lt": "below {}", "max_length": "at most {} long"}  # fmt: skip
    found = []
    for item in info.metadata:
        for attribute, template in words.items():
            value = getattr(item, attribute, None)
            if value is not None:
                found.append(template.format(value))
    return found


def _comment_notes(model: type[BaseModel]) -> dict[str, str]:
    """`#:` comments directly above a field in the model's source."""
    try:
        source = textwrap.dedent(inspect.getsource(model))
    except (OSError, TypeError):
        return {}
    lines = source.splitlines()
    notes: dict[str, str] = {}
    tree = ast.parse(source).body
    if not tree or not isinstance(tree[0], ast.ClassDef):
        return {}
    for node in tree[0].body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            comment: list[str] = []
            index = node.lineno - 2
            while index >= 0 and lines[index].strip().startswith("#:"):
                comment.insert(0, lines[index].strip().removeprefix("#:").strip())
                index -= 1
            if comment:
                notes[node.target.id] = " ".join(comment)
    return notes


def _description(
    model: type[BaseModel], name: str, info: FieldInfo, comments: dict[str, str]
) -> str:
    text = info.description or comments.get(name) or FIELD_NOTES.get(f"{model.__name__}.{name}")
    text = (text or "").replace("|", "\\|").replace("\n", " ")
    return text[:1].upper() + text[1:]


def _check_notes(models: Iterable[type[BaseModel]]) -> None:
    known = {f"{model.__name__}.{name}" for model in models for name in model.model_fields}
    stale = sorted(set(FIELD_NOTES) - known)
    if stale:
        raise ValueError(f"FIELD_NOTES describe fields the model does not have: {stale}")


def undocumented_fields(root: type[BaseModel] = Job) -> list[str]:
    """`Model.field` for every field that would appear without a description."""
    found = _Collected(models=[root])
    missing = []
    for model in found.models:  # grows while it is walked
        comments = _comment_notes(model)
        for name, info in model.model_fields.items():
            _type_text(info.annotation, found)
            if not _description(model, name, info, comments):
                missing.append(f"{model.__name__}.{name}")
    return missing


def _model_section(model: type[BaseModel], found: _Collected) -> list[str]:
    doc = inspect.getdoc(model)
    lines = [f"## {model.__name__}", ""]
    if doc and model is not BaseModel and doc != inspect.getdoc(BaseModel):
        lines += [doc.splitlines()[0], ""]
    lines += ["| field | type | default | description |", "|---|---|---|---|"]
    comments = _comment_notes(model)
    for name, info in model.model_fields.items():
        kind = _type_text(info.annotation, found)
        constraints = _constraints(info)
        if constraints:
            kind += " (" + ", ".join(constraints) + ")"
        description = _description(model, name, info, comments)
        lines.append(f"| `{name}` | {kind} | {_default(info)} | {description} |")
    return [*lines, ""]


def _enum_section(enum: type[Enum]) -> list[str]:
    lines = [f"### {enum.__name__}", ""]
    parse = getattr(enum, "parse", None)
    if callable(parse):
        fallback = parse(object())
        lines += [
            f"An ATS's own spellings are matched case- and separator-insensitively; anything "
            f"else becomes `{fallback.value}`.",
            "",
        ]
    lines.append(", ".join(f"`{member.value}`" for member in enum))
    return [*lines, ""]


def job_model_reference() -> str:
    """The Job model reference page, in Markdown."""
    found = _Collected(models=[Job])
    body: list[str] = []
    for model in found.models:  # grows while it is walked: nested models come after Job
        body += _model_section(model, found)
    _check_notes(found.models)
    header = [
        "# Job model reference",
        "",
        "<!-- Generated from embloy_ats.model when the docs are built; edit the model, "
        "not this page. -->",
        "",
        f"Every connector produces a `Job` (schema version {SCHEMA_VERSION}). It is immutable "
        "and validates itself: HTML is sanitised, country and currency codes are checked "
        "against ISO tables, datetimes must carry a timezone. `to_embloy(job)` and "
        "`to_schema_org(job)` export it to Embloy's job shape and to a schema.org "
        "`JobPosting`. Its JSON Schema: [job.schema.json](job.schema.json).",
        "",
    ]
    enums = ["## Enumerations", ""]
    for enum in found.enums:
        enums += _enum_section(enum)
    return "\n".join(header + body + enums)


def job_json_schema() -> str:
    import json

    return json.dumps(Job.model_json_schema(), indent=2) + "\n"


def _yes(flag: object) -> str:
    return "yes" if flag else "no"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _fields(kind: str, fields: list[dict[str, Any]]) -> list[str]:
    if not fields:
        return [f"- {kind}: none"]
    return [f"- {kind}:"] + [
        f"    - `{f['name']}`"
        + ("" if f["required"] else " (optional)")
        + (f": {_cell(f['description'])}" if f["description"] else "")
        for f in fields
    ]


def supported_ats_matrix(registry: Registry | None = None, documented: Iterable[str] = ()) -> str:
    """The supported-ATS page: one row per installed connector, from its `describe()`.

    `documented` holds the modes with a page under `docs/connectors/`; they are linked.
    """
    registry = registry or Registry.discover()
    pages = set(documented)
    infos = registry.available()
    lines = [
        "# Supported ATS",
        "",
        "<!-- Generated from the installed connectors when the docs are built. -->",
        "",
        "Every installed connector, as it describes itself (`embloy-ats connectors` prints "
        "the same from the command line). The rate limit is the one the connector keeps to, "
        "per account.",
        "",
        "| mode | ATS | auth | questions | compensation | submits applications | rate limit |",
        "|---|---|---|---|---|---|---|",
    ]
    details: list[str] = []
    for info in infos:
        d = info.connector.describe()
        policy = info.connector.rate_limit
        page = f"connectors/{d['mode']}.md"
        mode = f"[`{d['mode']}`]({page})" if d["mode"] in pages else f"`{d['mode']}`"
        cells = [
            mode,
            f"[{d['name']}](#{_anchor(d['mode'])})",
            ", ".join(f"`{kind}`" for kind in d["auth"]),
            _yes(d["questions"]),
            _yes(d["compensation"]),
            _yes(d["submits"]),
            f"{policy.requests} / {policy.per_seconds:g} s",
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        details += [
            f"### {d['name']} (`{d['mode']}`) {{#{_anchor(d['mode'])}}}",
            "",
            f"- package: `{info.distribution}` {info.version}"
            + (f"; [connector page]({page})" if d["mode"] in pages else ""),
            f"- job id: {d['job_id_format']} (pattern `{d['job_id_pattern']}`)",
            f"- rate limit: {d['rate_limit']}",
            *_fields("settings", d["settings"]),
            *_fields("credentials", d["credentials"]),
        ]
        if d["docs_url"]:
            details.append(f"- API documentation: <{d['docs_url']}>")
        details.append("")
    if not infos:
        lines.append("| - | no connector is installed | | | | | |")
    if registry.failures:
        broken = ", ".join(f"`{mode}`" for mode in sorted(registry.failures))
        lines += [
            "",
            '!!! note "Registered but not loadable in this build"',
            f"    {broken}: `embloy-ats connectors` shows why.",
        ]
    if details:
        lines += ["", "## Details", "", *details]
    return "\n".join(lines).rstrip("\n") + "\n"
