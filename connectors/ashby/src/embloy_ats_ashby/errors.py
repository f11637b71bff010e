"""Ashby's error envelope, mapped to the typed errors.

Ashby answers what would be a 4xx with HTTP 200 and `{"success": false, "errorInfo":
{"code": ..., "message": ..., "requestId": ...}, "errors": [...]}` (developers.ashbyhq.com,
"Responses & Errors"); a missing key is HTTP 401, a wrong or deactivated key HTTP 403, and a
key without the endpoint's permission HTTP 403 with `missing_endpoint_permission`
("Authentication"). Codes are matched by family, because Ashby documents examples, not a
closed list: `*_not_found`, `*rate_limit*`, `*permission*`, `*api_key*`/`unauthorized`,
`invalid_*`. Messages quote a code only when it matched a family (our words, not Ashby's).
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

from embloy_ats import parsing
from embloy_ats.errors import (
    AuthenticationFailed,
    JobNotFound,
    PayloadError,
    PermissionDenied,
    RateLimited,
    RequestRejected,
    UpstreamError,
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


def raise_error_envelope(
    body: dict[str, Any],
    *,
    status: int,
    connector: str,
    job_id: str | None,
    request_id: str | None,
) -> NoReturn:
    """Raise the typed error for an Ashby `success: false` answer (HTTP 200, 401 or 403)."""
    common: dict[str, Any] = {
        "connector": connector,
        "job_id": job_id,
        "status_code": status,
        "request_id": request_id or _request_id(body),
    }
    codes = error_codes(body)
    families = [(code, _family(code)) for code in codes]
    known = [(code, family) for code, family in families if family is not None]
    if status in (401, 403):
        denied = [code for code, family in known if family is PermissionDenied]
        if status == 403 and denied:
            raise PermissionDenied(
                f"refused access: the API key lacks a permission (code {denied[0]!r})",
                hint=_PERMISSION_HINT,
                **common,
            )
        raise AuthenticationFailed(
            f"rejected the API key (HTTP {status}): it is missing, wrong or deactivated",
            **common,
        )
    if not known:
        if codes:
            raise RequestRejected(
                "refused the request with an error code this connector does not know", **common
            )
        raise PayloadError("answered success: false without an error code", **common)
    code, family = known[0]
    if family is JobNotFound:
        raise JobNotFound(f"has no such job posting (code {code!r})", **common)
    if family is RateLimited:
        raise RateLimited(f"is rate-limiting this API key (code {code!r})", **common)
    if family is PermissionDenied:
        raise PermissionDenied(
            f"refused access: the API key lacks a permission (code {code!r})",
            hint=_PERMISSION_HINT,
            **common,
        )
    if family is AuthenticationFailed:
        raise AuthenticationFailed(f"rejected the API key (code {code!r})", **common)
    raise RequestRejected(f"refused the request as invalid (code {code!r})", **common)
