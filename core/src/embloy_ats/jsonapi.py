"""Reading a JSON:API document (jsonapi.org): resources, their attributes, related resources.

Several ATS answer in JSON:API (Teamtailor, Pinpoint): the job is `data`, and what
`include=` asked for sits in `included`, linked from `data.relationships.<name>.data` by
`{type, id}`. Linkage data is only present for relationships that were included; when it
is missing, the related resources are looked up in `included` by type (a document fetched
for one job holds nothing of that type but the job's own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import JsonValue

from embloy_ats import parsing
from embloy_ats.errors import PayloadError
from embloy_ats.ways import Asked, Envelope

Key = tuple[str, str]


@dataclass(frozen=True)
class Document:
    """A JSON:API answer for one resource: the resource, and what `include=` brought along."""

    document: dict[str, Any]
    resource: dict[str, Any]
    included: dict[Key, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "included", index_included(self.document))


def primary(kind: str, what: str) -> Envelope:
    """The envelope of a JSON:API answer for one resource of type `kind` (e.g. "jobs"),
    which must be the job asked for; `what` names it in messages ("job")."""

    def envelope(data: JsonValue, asked: Asked) -> Document:
        document = parsing.require_object(data, what="a JSON:API document")
        resource = parsing.require_object(document.get("data"), what=f"a {what} resource")
        found = resource.get("type")
        if found is not None and found != kind:
            raise PayloadError(f"answered a resource that is not {parsing.a_or_an(what)}")
        parsing.require_id(resource, "id", asked.job_id, what=what)
        return Document(document, resource)

    return envelope


def index_included(document: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    """`included` by (type, id); the first resource of a key wins."""
    found: dict[Key, dict[str, Any]] = {}
    for resource in parsing.objects(document.get("included")):
        key = resource_key(resource)
        if key is not None and key not in found:
            found[key] = resource
    return found


def resource_key(resource: dict[str, Any]) -> Key | None:
    kind, ident = parsing.text(resource.get("type")), parsing.text(resource.get("id"))
    return None if kind is None or ident is None else (kind, ident)


def attributes(resource: dict[str, Any]) -> dict[str, Any]:
    return parsing.obj(resource.get("attributes"))


def links(resource: dict[str, Any]) -> dict[str, Any]:
    return parsing.obj(resource.get("links"))


def linkage(resource: dict[str, Any], name: str) -> list[Key] | None:
    """The (type, id) pairs a relationship points at; None when it carries no `data`."""
    relationship = parsing.obj(parsing.obj(resource.get("relationships")).get(name))
    if "data" not in relationship:
        return None
    data = relationship["data"]
    items = data if isinstance(data, list) else [data]
    return [key for key in (resource_key(item) for item in parsing.objects(items)) if key]


def related(
    resource: dict[str, Any],
    name: str,
    kind: str,
    included: dict[Key, dict[str, Any]],
    *,
    by_type: bool = True,
) -> list[dict[str, Any]]:
    """The included resources `resource.relationships[name]` points at, in its order.

    Without linkage data, every included resource of `kind` when `by_type` (right for the
    job's own relationships), else none (right for a nested one such as a picked
    question's question, which must not pick up every question of the job).
    """
    keys = linkage(resource, name)
    if keys is None:
        if not by_type:
            return []
        return [item for (item_kind, _), item in included.items() if item_kind == kind]
    return [included[key] for key in keys if key in included]
