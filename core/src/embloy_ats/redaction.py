"""What a secret looks like: token shapes, the headers and parameters that carry one.

One place for the patterns, read by the log filter (which masks them), by recording
(which scrubs them) and by the cassette scan (which flags them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TOKEN_LIKE = re.compile(
    r"(?:Bearer|Basic|Token token=)\s*(?=[A-Za-z._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{12,}"
    r"|sk_(?:live|test)_[A-Za-z0-9]{8,}"
    r"|ya29\.[A-Za-z0-9_-]{10,}"
    r"|\"(?:access|refresh)_token\":\s*\"[A-Za-z0-9._-]{16,}\""
    r"|[?&](?:api_?key|key|token|access_token|client_secret)=[A-Za-z0-9._-]{8,}"
    r"|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",  # a JWT
    re.IGNORECASE,
)
#: what scrubbing writes in place of a secret; never itself a finding.
REDACTED = "REDACTED"
#: headers and query parameters that carry secrets; scrubbed when recording.
SECRET_HEADERS = (
    "authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "proxy-authorization",
)
SECRET_PARAMS = (
    "api_key",
    "apikey",
    "key",
    "token",
    "access_token",
    "client_secret",
    "refresh_token",
)


def find_secrets(text: str, known: Iterable[str] = ()) -> list[str]:
    """Token-looking values and any of `known` (the credentials used to record) in `text`.

    Findings are shortened so that reporting one does not leak it again.
    """
    found = [
        match.group(0) for match in TOKEN_LIKE.finditer(text) if REDACTED not in match.group(0)
    ]
    found += [value for value in known if len(value) >= 4 and value in text]
    return [f"{item[:6]}... ({len(item)} chars)" for item in found]
