"""`embloy-ats fetch workday` against a real local server serving the cassettes' answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from embloy_ats.cli import app
from typer.testing import CliRunner

from tests.conftest import loopback_server, payload

#: job id -> (cassette, the site's settings, title, first location's (city, country))
POSTINGS = {
    "Sr-Site-Reliability-Engineer--US-Federal-_JR-0105486": (
        "found_workday_federal_JR-0105486.yaml",
        ("workday.wd5.myworkdayjobs.com", "workday", "Workday"),
        "Sr. Site Reliability Engineer (US Federal)",
        ("Reston", "US"),
    ),
    "Industrial-Coatings-Product-Manager_R02345678": (
        "found_constructed_R02345678_pay_additional_locations.yaml",
        ("acme.wd1.myworkdayjobs.com", "acme", "Careers"),
        "Industrial Coatings Product Manager",
        ("Saint Paul", "US"),
    ),
    "2027-Summer-Internship---Data-Engineering_R500123": (
        "found_constructed_R500123_hybrid_end_date.yaml",
        ("globex.wd5.myworkdayjobs.com", "globex", "SearchJobs"),
        "2027 Summer Internship - Data Engineering",
        ("Princeton", "US"),
    ),
    "Electrical-Maintenance-Technician_R0234567": (
        "found_constructed_R0234567_city_first_tr.yaml",
        ("initech.wd3.myworkdayjobs.com", "initech", "initech"),
        "Electrical Maintenance Technician",
        ("Manisa", "TR"),
    ),
    "Firmware-Validation-Engineer_JR2034567": (
        "found_constructed_JR2034567_country_first.yaml",
        ("hooli.wd5.myworkdayjobs.com", "hooli", "HooliExternalCareerSite"),
        "Firmware Validation Engineer",
        ("Haifa", "IL"),
    ),
}


def _path(job_id: str) -> str:
    _, (_, tenant, site), _, _ = POSTINGS[job_id]
    return f"/wday/cxs/{tenant}/{site}/job/{job_id}"


class _Handler(BaseHTTPRequestHandler):
    seen: list[str] = []
    routes = {_path(job_id): payload(f"workday/{entry[0]}") for job_id, entry in POSTINGS.items()}

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = self.routes.get(self.path, b"")
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_workday(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")
    _Handler.seen = []
    with loopback_server(_Handler) as url:
        yield url


def _fetch(job_id: str, site: tuple[str, str, str], base_url: str) -> tuple[int, str]:
    host, tenant, name = site
    result = CliRunner().invoke(
        app,
        ["fetch", "workday", job_id, "-s", f"host={host}", "-s", f"tenant={tenant}",
         "-s", f"site={name}", "-s", f"base_url={base_url}", "--json"],
    )  # fmt: skip
    return result.exit_code, result.stdout if result.exit_code == 0 else result.stderr


def test_cli_fetches_every_posting_from_a_local_server(local_workday: str) -> None:
    for job_id, (_, site, title, (city, country)) in POSTINGS.items():
        code, out = _fetch(job_id, site, local_workday)
        assert code == 0, out
        job = json.loads(out)
        assert (job["slug"], job["title"]) == (f"workday__{job_id}", title)
        assert (job["locations"][0]["city"], job["locations"][0]["country_code"]) == (
            city, country,
        )  # fmt: skip
    assert _Handler.seen == [_path(job_id) for job_id in POSTINGS]


def test_cli_says_not_found_for_an_unknown_posting(local_workday: str) -> None:
    site = POSTINGS["Firmware-Validation-Engineer_JR2034567"][1]
    code, out = _fetch("No-Such-Posting_JR-0000000", site, local_workday)
    assert code == 3
    assert "has no such job (HTTP 404)" in out
