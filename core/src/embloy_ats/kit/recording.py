"""Record a connector's real traffic to vcrpy cassettes, scrubbed before anything is written.

Scrubbing happens in vcrpy's record hooks, so a secret never reaches the cassette file:
auth and cookie headers are dropped, key-bearing query parameters, token request and answer
fields are replaced by `REDACTED`, compressed bodies are decoded first (so nothing hides in
gzip), and every credential used - and every token the ATS handed out while recording - is
replaced wherever else it shows up. The cassette is recorded in a scratch folder, scanned,
and only copied into place when the scan finds nothing.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

import yaml

from embloy_ats.connector import Connector
from embloy_ats.errors import ConfigurationError, EmbloyAtsError
from embloy_ats.model import Job
from embloy_ats.redaction import REDACTED, SECRET_HEADERS, SECRET_PARAMS, find_secrets
from embloy_ats.testing.cassette_scan import SECRET_FIELDS, scan_text

#: header names that carry a secret in practice, beyond the fixed list.
_SECRET_HEADER_NAME = re.compile(
    r"auth|token|secret|passw|api[-_]?key|cookie|session|signature|credential", re.IGNORECASE
)
#: form and JSON request fields of token endpoints and logins.
_SECRET_REQUEST_FIELDS = SECRET_FIELDS | {"client_id", "code", "code_verifier", "assertion"}
_SHORTEST_SECRET = 4
#: request headers that describe the transfer, not the request: noise in a cassette.
_TRANSFER_HEADERS = frozenset({"host", "connection", "accept-encoding", "content-length"})
_FILE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")


def _decompress(encoding: str, body: bytes) -> bytes | None:
    """The decoded body, or None when the encoding is not one we can read."""
    try:
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(body)
        if encoding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate
        if encoding == "identity":
            return body
    except (OSError, EOFError, zlib.error):
        return None
    return None


class Scrubber:
    """vcrpy `before_record_request` / `before_record_response` hooks that remove secrets.

    It learns as it goes: a token the ATS answers with is scrubbed from everything recorded
    after it too. `problems` collects what could not be made safe (an undecodable body).
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets: set[str] = set()
        self.problems: list[str] = []
        for secret in secrets:
            self.learn(secret)

    def learn(self, secret: str) -> None:
        if len(secret) >= _SHORTEST_SECRET and REDACTED not in secret:
            self._secrets.add(secret)

    @property
    def secrets(self) -> list[str]:
        """Everything scrubbed so far: the credentials and the tokens seen while recording."""
        return sorted(self._secrets, key=len, reverse=True)

    def _variants(self) -> list[str]:
        forms = {
            form
            for secret in self._secrets
            for form in (secret, quote(secret, safe=""), quote_plus(secret))
        }
        return sorted(forms, key=len, reverse=True)

    def text(self, value: str) -> str:
        """`value` with every known secret (also percent-encoded) replaced by REDACTED."""
        for secret in self._variants():
            value = value.replace(secret, REDACTED)
        return value

    def _holds_secret(self, value: str) -> bool:
        return any(secret in value for secret in self._variants())

    def _json(self, value: Any, fields: frozenset[str]) -> Any:
        if isinstance(value, dict):
            cleaned: dict[str, Any] = {}
            for key, item in value.items():
                if str(key).lower() in fields and isinstance(item, str) and item:
                    self.learn(item)
                    cleaned[key] = REDACTED
                else:
                    cleaned[key] = self._json(item, fields)
            return cleaned
        if isinstance(value, list):
            return [self._json(item, fields) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def _body(self, body: bytes, content_type: str, fields: frozenset[str]) -> bytes:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self.problems.append("a body is not UTF-8 text, so it could not be scrubbed")
            return body
        stripped = text.strip()
        if "json" in content_type or stripped[:1] in ("{", "["):
            try:
                document = json.loads(stripped)
            except json.JSONDecodeError:
                pass
            else:
                cleaned = self._json(document, fields)
                if cleaned != document:
                    text = json.dumps(cleaned, ensure_ascii=False)
        elif "x-www-form-urlencoded" in content_type:
            pairs = parse_qsl(text, keep_blank_values=True)
            cleaned_pairs = []
            for name, value in pairs:
                if (name.lower() in fields or self._holds_secret(value)) and value:
                    self.learn(value)
                    value = REDACTED
                cleaned_pairs.append((name, value))
            if cleaned_pairs != pairs:
                text = urlencode(cleaned_pairs)
        return self.text(text).encode("utf-8")

    def _uri(self, uri: str) -> str:
        parts = urlsplit(uri)
        netloc = parts.netloc.rpartition("@")[2]  # never keep user:password@
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        cleaned = [
            (
                name,
                REDACTED
                if value and (name.lower() in SECRET_PARAMS or self._holds_secret(value))
                else value,
            )
            for name, value in pairs
        ]
        query = urlencode(cleaned, quote_via=quote) if cleaned != pairs else parts.query
        return urlunsplit((parts.scheme, netloc, self.text(parts.path), query, ""))

    def _secret_header(self, name: str, values: Sequence[str]) -> bool:
        lowered = name.lower()
        return (
            lowered in SECRET_HEADERS
            or bool(_SECRET_HEADER_NAME.search(lowered))
            or any(self._holds_secret(value) for value in values)
        )

    def request(self, request: Any) -> Any:
        """vcrpy's `before_record_request` hook (it hands us a copy)."""
        headers = {str(k): str(v) for k, v in dict(request.headers).items()}
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        request.headers = {
            k: v
            for k, v in headers.items()
            if not self._secret_header(k, [v]) and k.lower() not in _TRANSFER_HEADERS
        }
        request.uri = self._uri(str(request.uri))
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        if isinstance(body, bytes) and body:
            request.body = self._body(body, content_type.lower(), _SECRET_REQUEST_FIELDS)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy's `before_record_response` hook: decode, then scrub headers and body."""
        headers: dict[str, list[str]] = {
            str(name): [str(v) for v in (values if isinstance(values, list) else [values])]
            for name, values in (response.get("headers") or {}).items()
        }
        body_holder = response.get("body") or {}
        body = body_holder.get("string", b"")
        if isinstance(body, str):
            body = body.encode("utf-8")
        lowered = {name.lower(): name for name in headers}
        readable = True
        if "content-encoding" in lowered:
            name = lowered["content-encoding"]
            for encoding in reversed(
                [e.strip().lower() for e in ",".join(headers[name]).split(",")]
            ):
                decoded = _decompress(encoding, body) if encoding else body
                if decoded is None:
                    self.problems.append(
                        f"a response body is {encoding!r}-encoded, which cannot be decoded here"
                    )
                    readable = False
                    break
                body = decoded
            else:
                del headers[name]
        content_type = ",".join(headers.get(lowered.get("content-type", ""), [])).lower()
        if body and readable:
            body = self._body(body, content_type, SECRET_FIELDS)
        cleaned = {
            name: [self.text(v) for v in values]
            for name, values in headers.items()
            if not self._secret_header(name, values) and name.lower() != "set-cookie"
        }
        if "content-length" in lowered and lowered["content-length"] in cleaned:
            cleaned[lowered["content-length"]] = [str(len(body))]
        response["headers"] = cleaned
        response["body"] = {"string": body}
        return response


def vcr_config(scrubber: Scrubber) -> dict[str, Any]:
    """vcrpy settings that scrub like `embloy-ats record`; also fit for pytest-recording's
    `vcr_config` fixture (scan afterwards with `scrubber.secrets` as the known values)."""
    return {
        "before_record_request": scrubber.request,
        "before_record_response": scrubber.response,
        "decode_compressed_response": False,  # the scrubber decodes, then scrubs
    }


@dataclass
class Recording:
    """What recording one job gave: the cassette written, or why none was."""

    job_id: str
    outcome: str
    fetched: bool = False
    cassette: Path | None = None
    status: int | None = None
    interactions: int = 0
    findings: list[str] = field(default_factory=list)
    #: why nothing was written, when nothing was.
    failure: str | None = None
    exit_code: int = 0


def settings_line(settings: Mapping[str, str], secrets: Iterable[str]) -> str:
    """The `settings = {...}` line of the connector's conformance test: the settings the
    cassettes were recorded with. Settings are never secret, but a value that holds a
    credential or looks like a token is shown as REDACTED all the same."""
    scrubber = Scrubber(secrets)
    shown = {
        name: REDACTED if find_secrets(value) else scrubber.text(value)
        for name, value in sorted(settings.items())
    }
    return f"settings = {json.dumps(shown, ensure_ascii=False)}"


def cassette_name(status: int | None, job_id: str) -> str:
    """`found_<id>`, `not_found_<id>`, `auth_failed_<id>` or `status_<code>_<id>`."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", job_id)[:80] or "job"
    if status is not None and 200 <= status < 300:
        return f"found_{safe}.yaml"
    if status in (404, 410):
        return f"not_found_{safe}.yaml"
    if status in (401, 403):
        return f"auth_failed_{safe}.yaml"
    return f"status_{status}_{safe}.yaml"


def check_cassette_name(name: str) -> str:
    stem = name.removesuffix(".yaml")
    if not _FILE_STEM.fullmatch(stem) or ".." in stem:
        raise ConfigurationError(
            f"--name {name[:60]!r} is not a plain file name (letters, digits, '.', '_', '-')"
        )
    return f"{stem}.yaml"


def _describe(outcome: object, scrubber: Scrubber) -> str:
    if isinstance(outcome, Job):
        return f"job {outcome.title!r}"
    if isinstance(outcome, EmbloyAtsError):
        return scrubber.text(f"{type(outcome).__name__}: {outcome.message}")
    return scrubber.text(f"{type(outcome).__name__}: {outcome}")[:300]


def _last_status(text: str) -> tuple[int | None, int]:
    document = yaml.safe_load(text)
    interactions = document.get("interactions", []) if isinstance(document, dict) else []
    status = None
    if interactions:
        code = interactions[-1].get("response", {}).get("status", {}).get("code")
        status = int(code) if isinstance(code, int) else None
    return status, len(interactions)


async def record_job(
    connector: Connector,
    job_id: str,
    out_dir: Path,
    *,
    name: str | None = None,
    known: Iterable[str] = (),
) -> Recording:
    """Fetch `job_id` through `connector` while recording; write the cassette if it is clean.

    The fetch may fail (unknown job, bad credentials, an unfinished mapping): the traffic is
    recorded all the same, since those answers are what the conformance suite replays.
    """
    import vcr  # type: ignore[import-untyped]  # vcrpy ships no type information

    scrubber = Scrubber([*connector.credentials.secret_values(), *known])
    with tempfile.TemporaryDirectory(prefix="embloy-ats-record-") as scratch_dir:
        scratch = Path(scratch_dir) / "cassette.yaml"
        recorder = vcr.VCR(record_mode="all", **vcr_config(scrubber))
        outcome: object
        with recorder.use_cassette(str(scratch)):
            try:
                outcome = await connector.fetch_job(job_id)
            except Exception as exc:  # noqa: BLE001 - the traffic is kept; the error is reported
                outcome = exc
        result = Recording(job_id, _describe(outcome, scrubber), fetched=isinstance(outcome, Job))
        _keep(result, scratch, scrubber, out_dir, name, getattr(outcome, "exit_code", 1))
    return result


def _keep(
    result: Recording,
    scratch: Path,
    scrubber: Scrubber,
    out_dir: Path,
    name: str | None,
    error_code: int,
) -> None:
    """Scan the scratch cassette; copy it into `out_dir` only if nothing is found."""
    if not scratch.is_file():
        result.failure = "nothing was recorded: no request was made, or none was answered"
        result.exit_code = error_code
        return
    text = scratch.read_text(encoding="utf-8")
    result.status, result.interactions = _last_status(text)
    result.findings = [*scrubber.problems, *scan_text(text, known=scrubber.secrets)]
    if result.findings:
        result.failure = "the secret scan found something, so nothing was written"
        result.exit_code = 1
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (name or cassette_name(result.status, result.job_id))
    shutil.copyfile(scratch, target)
    result.cassette = target


async def record_jobs(
    make_connector: Callable[[], Connector],
    job_ids: Sequence[str],
    out_dir: Path,
    *,
    name: str | None = None,
    known: Iterable[str] = (),
    on_done: Callable[[Recording], None] | None = None,
) -> list[Recording]:
    """One cassette per job, each from a fresh connector (so each holds its own token
    request and replays on its own)."""
    results = []
    known = list(known)
    for job_id in job_ids:
        connector = make_connector()
        try:
            result = await record_job(connector, job_id, out_dir, name=name, known=known)
        finally:
            await connector.http.aclose()
        results.append(result)
        if on_done is not None:
            on_done(result)
    return results
