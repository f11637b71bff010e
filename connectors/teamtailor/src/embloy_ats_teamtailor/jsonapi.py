"""Reading a JSON:API document: resources, their attributes, and related resources.

Teamtailor answers in JSON:API: the job is `data`, and what `include=` asked for sits in
`included`, linked from `data.relationships.<name>.data` by `{type, id}`. Linkage data is
only present for relationships that were included; when it is missing, the related
resources are looked up in `included` by type (this document was fetched for one job, so
everything of that type belongs to it).
"""

from __future__ import annotations

from typing import Any

from embloy_ats import parsing

Key = tuple[str, str]


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
