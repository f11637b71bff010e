"""Ashby's error envelope, mapped to the typed errors.

Ashby answers what would be a 4xx with HTTP 200 and `{"success": false, "errorInfo":
{"code": ..., "message": ..., "requestId": ...}, "errors": [...]}` (developers.ashbyhq.com,
"Responses & Errors"); a missing key is HTTP 401, a wrong or deactivated key HTTP 403, and a
key without the endpoint's permission HTTP 403 with `missing_endpoint_permission`
("Authentication"). Codes are matched by family, because Ashby documents examples, not a
closed list: `*_not_found`, `*rate_limit*`, `*permission*`, `*api_key*`/`unauthorized`,
`invalid_*`. Messages are our words; the code goes to the error's `upstream_code`.
"""

from __future__ import annotations

import re
from typing import Any

from embloy_ats.contract import (
    Asked,
    AuthenticationFailed,
    EmbloyAtsError,
    JobNotFound,
    JsonValue,
    PayloadError,
    PermissionDenied,
    RateLimited,
    RequestRejected,
    UpstreamError,
    parsing,
)

_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._-]{0,63}")
_PERMISSION_HINT = (
    "Grant the API key read access to Jobs (jobsRead) in Ashby's admin settings, and access "
    "to confidential jobs if the posting is confidential."
)
_AUTH_CODES = frozenset(
    {"unauthorized", "unauthenticated", "authentication_failed", "invalid_credentials"}
)


def error_codes(body: dict[str, Any]) -> list[str]:
    """`errorInfo.code` first, then the deprecated `errors` list, as snake_case words."""
    found = [parsing.text(parsing.obj(body.get("errorInfo")).get("code"))]
    found += parsing.texts(body.get("errors"))
    codes = []
    for value in found:
        if value is None:
            continue
        code = re.sub(r"[\s-]+", "_", value.strip().casefold())
        if _CODE.fullmatch(code) and code not in codes:
            codes.append(code)
    return codes


def _family(code: str) -> type[UpstreamError] | None:
    if code == "not_found" or code.endswith("_not_found"):
        return JobNotFound
    if "rate_limit" in code or "concurrent_limit" in code or code == "too_many_requests":
        return RateLimited
    if "permission" in code or code == "forbidden":
        return PermissionDenied
    if "api_key" in code or code in _AUTH_CODES:
        return AuthenticationFailed
    if code.startswith("invalid") or code == "bad_request":
        return RequestRejected
    return None


def _request_id(body: dict[str, Any]) -> str | None:
    value = parsing.text(parsing.obj(body.get("errorInfo")).get("requestId"))
    return value if value is not None and _REQUEST_ID.fullmatch(value) else None


def error_for(body: dict[str, Any], status: int | None = None) -> UpstreamError:
    """The typed error of an Ashby error answer: `success: false` (HTTP 200), or a rejected
    key (`status` 401 or 403, whose body may not even be JSON)."""
    codes = error_codes(body)
    known = [(code, family) for code, family in ((c, _family(c)) for c in codes) if family]
    common: dict[str, Any] = {"status_code": status, "request_id": _request_id(body)}
    if status in (401, 403):
        denied = [code for code, family in known if family is PermissionDenied]
        if status == 403 and denied:
            return PermissionDenied(
                "refused access: the API key lacks a permission",
                hint=_PERMISSION_HINT,
                upstream_code=denied[0],
                **common,
            )
        return AuthenticationFailed(
            f"rejected the API key (HTTP {status}): it is missing, wrong or deactivated",
            upstream_code=codes[0] if codes else None,
            **common,
        )
    if not known:
        if codes:
            return RequestRejected(
                "refused the request with an error code this connector does not know",
                upstream_code=codes[0],
                **common,
            )
        return PayloadError("answered success: false without an error code", **common)
    code, family = known[0]
    common["upstream_code"] = code
    if family is JobNotFound:
        return JobNotFound("has no such job posting", **common)
    if family is RateLimited:
        return RateLimited("is rate-limiting this API key", **common)
    if family is PermissionDenied:
        return PermissionDenied(
            "refused access: the API key lacks a permission", hint=_PERMISSION_HINT, **common
        )
    if family is AuthenticationFailed:
        return AuthenticationFailed("rejected the API key", **common)
    return RequestRejected("refused the request as invalid", **common)


def key_rejected(status: int, body: JsonValue | None) -> EmbloyAtsError:
    """Ashby answers a missing key with 401 and a wrong, deactivated or underprivileged one
    with 403; the body (when JSON) tells a missing permission from a bad key."""
    return error_for(parsing.obj(body), status)


def succeeded(data: JsonValue) -> dict[str, Any]:
    """The answer, unless it is Ashby's `success: false` envelope."""
    if isinstance(data, dict) and data.get("success") is False:
        raise error_for(data)
    return parsing.obj(data)


def posting(data: JsonValue, asked: Asked) -> dict[str, Any]:
    """`jobPosting.info`'s `results`; success with none means the posting is unknown."""
    body = succeeded(parsing.require_object(data, what="an answer"))
    results = body.get("results")
    if results is None or results == {}:
        raise JobNotFound("answered success with no job posting")
    return parsing.require_object(results, what="a posting")
