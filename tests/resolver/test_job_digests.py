"""Every recorded answer becomes the very same Job, byte for byte, whatever the code beneath
does to get there: the JSON of each cassette's job (or the error it ends in) is pinned by
its SHA-256 in `job_digests.json`, through the resolver as the service runs it (fetched,
stored, answered), on SQLite and PostgreSQL.

A change that alters what a cassette becomes on purpose writes the table again:
`uv run python -m tests.resolver.test_job_digests`, and the diff shows which jobs moved.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from embloy_ats import HttpClient, Registry
from embloy_ats.crypto import KeyRing
from embloy_ats.errors import EmbloyAtsError
from embloy_ats.replay import replay_transport
from embloy_ats.resolver import Resolver
from embloy_ats.store import Store, store_for

from tests.conftest import CASSETTES
from tests.resolver.conftest import ManualClock

DIGESTS = Path(__file__).with_name("job_digests.json")
HARVEST = {"client_id": "harvest-test-client", "client_secret": "harvest-test-secret"}


@dataclass(frozen=True)
class Case:
    mode: str
    cassette: str
    job_id: str
    settings: Mapping[str, str]
    credentials: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.cassette}#{self.job_id}"


def _cases() -> list[Case]:
    ashby_boards = {
        "board_anara_empty.yaml": ("anara", ["691c4294-855e-4ab9-b6d9-8d70c6e09866"]),
        "board_bliro.yaml": ("bliro", ["0ab0fa98-9e53-48a8-9ba9-5f6c43d60931",
            "d4e9a5bb-d5b1-4810-96e8-e113540ce3c9", "f8f641e4-efa3-4c3d-9d37-6004b4aa9ec7",
            "09378564-8c98-4d1f-ac5c-0ed201126686", "774822e1-e15a-42d3-bac9-0a8b6b16cb1a",
            "fe444996-dce2-49d1-ba9c-ef6b1ee81cf8", "ff8ebb7b-e99a-457b-a798-183fa55d0d6d"]),
        "board_highlightta.yaml": ("HighlightTA", ["90fb3621-899e-4b59-925d-25080ec91e18",
            "fc2f1f85-46a0-4a31-b165-683e39c07c04"]),
        "board_kovo.yaml": ("kovo", ["691c4294-855e-4ab9-b6d9-8d70c6e09866"]),
        "board_leona.yaml": ("leona", ["1ad5b1c3-4baf-428d-83bc-bf08e68e0416",
            "682a5305-364f-4c13-baaa-de09b627f062", "94bce853-e098-4680-8ef1-693bf5740df4",
            "4259e032-d061-43ae-b305-3a78329a5a87", "3af3517b-deca-4eac-a6b8-48d6aa82f4a7",
            "b4638631-2e92-4b67-9ba2-e69291e69e43"]),
        "board_prelim.yaml": ("prelim", ["949c2a58-cf59-4aa7-b0fe-0936c8dbfe0d",
            "62449307-e366-4c92-8d22-9a9f8ec11afa", "9212ba66-35c2-46f0-8a92-52d5f4aab242"]),
        "board_unknown.yaml": ("no-such-board", ["691c4294-855e-4ab9-b6d9-8d70c6e09866"]),
    }  # fmt: skip
    cases = [
        Case("ashby", f"ashby/{cassette}", job_id, {"job_board_name": board})
        for cassette, (board, ids) in ashby_boards.items()
        for job_id in ids
    ]
    ashby_key = {"api_key": "test-key"}
    bamboo, bamboo_key = {"company_domain": "acme"}, {"api_key": "bamboo-key-5Qd2"}
    lever_key = {"api_key": "test-key"}
    sr_key = {"api_key": "sr-stand-in-key"}
    softgarden_v3 = {"channel_id": "40711_extern", "locale": "de"}
    softgarden_key = {"client_id": "sg-client-7Qm2xR"}
    teamtailor_key = {"api_key": "test-key"}
    workable_key = {"access_token": "test-key"}
    cases += [
        Case("ashby", "ashby/info_bad_key.yaml", "3f0c9a6e-2b1d-4c8e-9a57-6d2e8b1f4c20", {},
             ashby_key),
        Case("ashby", "ashby/info_found_hybrid.yaml", "3f0c9a6e-2b1d-4c8e-9a57-6d2e8b1f4c20",
             {}, ashby_key),
        Case("ashby", "ashby/info_found_remote.yaml", "8d41f6b2-7c39-4e0a-b1d5-2a9c6e3f7b18",
             {}, ashby_key),
        Case("ashby", "ashby/info_not_found.yaml", "00000000-0000-4000-8000-000000000000",
             {}, ashby_key),
        Case("bamboohr", "bamboohr/careers_found_constructed_17_hybrid.yaml", "17", bamboo),
        Case("bamboohr", "bamboohr/careers_found_constructed_23_remote_pay.yaml", "23", bamboo),
        Case("bamboohr", "bamboohr/careers_found_constructed_41_filled_form.yaml", "41", bamboo),
        Case("bamboohr", "bamboohr/careers_not_found.yaml", "999999999", bamboo),
        Case("bamboohr", "bamboohr/tracking_bad_credentials.yaml", "17", bamboo, bamboo_key),
        Case("bamboohr", "bamboohr/tracking_found_constructed_17.yaml", "17", bamboo,
             bamboo_key),
        Case("bamboohr", "bamboohr/tracking_found_constructed_52_draft.yaml", "52", bamboo,
             bamboo_key),
        Case("bamboohr", "bamboohr/tracking_not_found.yaml", "999999999", bamboo, bamboo_key),
        Case("greenhouse", "greenhouse/found_docs_example_44444.yaml", "44444",
             {"board_token": "acme"}),
        Case("greenhouse", "greenhouse/found_generalassembly_721.yaml", "721",
             {"board_token": "generalassembly"}),
        Case("greenhouse", "greenhouse/found_gongio_4679941006.yaml", "4679941006",
             {"board_token": "gongio"}),
        Case("greenhouse", "greenhouse/not_found.yaml", "999999999", {"board_token": "gongio"}),
        Case("greenhouse", "greenhouse/harvest_bad_credentials.yaml", "123", {}, HARVEST),
        Case("greenhouse", "greenhouse/harvest_found_123.yaml", "123", {}, HARVEST),
        Case("greenhouse", "greenhouse/harvest_found_5678.yaml", "5678", {}, HARVEST),
        Case("greenhouse", "greenhouse/harvest_not_found.yaml", "999999999", {}, HARVEST),
        Case("join", "join/found_constructed_3100458_page2_salary.yaml", "3100458",
             {"company": "acme"}),
        Case("join", "join/found_constructed_3100460_remote_hidden_salary.yaml", "3100460",
             {"company": "acme"}),
        Case("join", "join/found_constructed_3120077_by_url_number.yaml", "3120077",
             {"company": "acme"}),
        Case("join", "join/not_found.yaml", "999999999", {"company": "acme"}),
        Case("lever", "lever/v0_found_idealistconsulting_a24ec4e5.yaml",
             "a24ec4e5-5caa-473d-abd4-b71f09a8167b", {"site": "idealistconsulting"}),
        Case("lever", "lever/v0_found_leverdemo_6d5cbe7f.yaml",
             "6d5cbe7f-e551-4ae1-b052-08a48f651993", {"site": "leverdemo"}),
        Case("lever", "lever/v0_found_leverdemo_f6cbe376.yaml",
             "f6cbe376-87ec-4fcb-abdf-ef8c336e17c6", {"site": "leverdemo"}),
        Case("lever", "lever/v0_found_outreach_a60fb104.yaml",
             "a60fb104-ce93-4ba0-8763-ffb075b3eed1", {"site": "outreach"}),
        Case("lever", "lever/v0_found_outreach_f9e62dad.yaml",
             "f9e62dad-44bf-4e52-88ca-854a2b26fa58", {"site": "outreach"}),
        Case("lever", "lever/v0_not_found.yaml", "0b7e5d1c-93a4-4f2e-8c61-5a9d2e4f7b30",
             {"site": "leverdemo"}),
        Case("lever", "lever/v1_bad_credentials.yaml", "3f6c2a9e-8d41-4b7a-9c25-71e0d4b8a6f3",
             {}, lever_key),
        Case("lever", "lever/v1_found_3f6c2a9e.yaml", "3f6c2a9e-8d41-4b7a-9c25-71e0d4b8a6f3",
             {}, lever_key),
        Case("lever", "lever/v1_found_c81d4e2a.yaml", "c81d4e2a-57b9-4f06-a3e8-2b9f0d6c1e47",
             {}, lever_key),
        Case("lever", "lever/v1_not_found.yaml", "0b7e5d1c-93a4-4f2e-8c61-5a9d2e4f7b30", {},
             lever_key),
        Case("personio", "personio/found_docs_shape_7301.yaml", "7301",
             {"company": "teamhafen", "domain": "com"}),
        *(Case("personio", "personio/found_feed_shape_2604417.yaml", job_id,
               {"company": "nordlicht"})
          for job_id in ("2604417", "2598101", "1187420", "2611003")),
        Case("personio", "personio/not_found_9999999.yaml", "9999999", {"company": "nordlicht"}),
        Case("recruitee", "recruitee/bad_credentials_ats.yaml", "2705510",
             {"company": "acme", "company_id": "12345"}, {"api_token": "test-token"}),
        Case("recruitee", "recruitee/found_ats_constructed_2705510.yaml", "2705510",
             {"company": "acme", "company_id": "12345"}, {"api_token": "test-token"}),
        Case("recruitee", "recruitee/found_public_2700825.yaml", "2700825", {"company": "acme"}),
        Case("recruitee", "recruitee/found_public_constructed_3100042.yaml", "3100042",
             {"company": "acme"}),
        Case("recruitee",
             "recruitee/found_public_partner-development-representative-fmd-berlin-germany.yaml",
             "partner-development-representative-fmd-berlin-germany", {"company": "acme"}),
        Case("recruitee", "recruitee/not_found_ats.yaml", "999999999",
             {"company": "acme", "company_id": "12345"}, {"api_token": "test-token"}),
        Case("recruitee", "recruitee/not_found_public.yaml", "999999999", {"company": "acme"}),
        Case("smartrecruiters", "smartrecruiters/found_744000138728139.yaml", "744000138728139",
             {"company_identifier": "HireVue"}),
        Case("smartrecruiters", "smartrecruiters/found_744000151103220.yaml", "744000151103220",
             {"company_identifier": "Ubisoft2"}),
        Case("smartrecruiters", "smartrecruiters/not_found_744000999999999.yaml",
             "744000999999999", {"company_identifier": "Ubisoft2"}),
        Case("smartrecruiters", "smartrecruiters/questions_bad_key_744000412345678.yaml",
             "744000412345678", {"company_identifier": "NordwindLogistik"}, sr_key),
        Case("smartrecruiters", "smartrecruiters/questions_found_744000412345678.yaml",
             "744000412345678", {"company_identifier": "NordwindLogistik"}, sr_key),
        Case("smartrecruiters", "smartrecruiters/questions_not_found_744000999999999.yaml",
             "744000999999999", {"company_identifier": "NordwindLogistik"}, sr_key),
        Case("softgarden", "softgarden/feed_found_41205871.yaml", "41205871",
             {"career_site": "acme"}),
        Case("softgarden", "softgarden/feed_found_41205903.yaml", "41205903",
             {"career_site": "acme"}),
        Case("softgarden", "softgarden/feed_no_career_site.yaml", "41205871",
             {"career_site": "nosuchsite"}),
        Case("softgarden", "softgarden/feed_not_found.yaml", "41299999", {"career_site": "acme"}),
        Case("softgarden", "softgarden/v3_bad_credentials.yaml", "41205871", softgarden_v3,
             softgarden_key),
        Case("softgarden", "softgarden/v3_found_41205871.yaml", "41205871", softgarden_v3,
             softgarden_key),
        Case("softgarden", "softgarden/v3_found_41205903_snake_case.yaml", "41205903",
             softgarden_v3, softgarden_key),
        Case("softgarden", "softgarden/v3_not_found.yaml", "999999999", softgarden_v3,
             softgarden_key),
        Case("teamtailor", "teamtailor/bad_credentials.yaml", "7199", {"region": "eu"},
             teamtailor_key),
        Case("teamtailor", "teamtailor/found_constructed_4711_hybrid_two_locations.yaml",
             "4711", {"region": "eu"}, teamtailor_key),
        Case("teamtailor", "teamtailor/found_constructed_5120_na_remote_internal.yaml", "5120",
             {"region": "na"}, teamtailor_key),
        Case("teamtailor", "teamtailor/found_dev_26_include_user.yaml", "26", {"region": "eu"},
             teamtailor_key),
        Case("teamtailor", "teamtailor/found_docs_example_7199.yaml", "7199", {"region": "eu"},
             teamtailor_key),
        Case("teamtailor", "teamtailor/invalid_api_version.yaml", "7199", {"region": "eu"},
             teamtailor_key),
        Case("teamtailor", "teamtailor/not_found.yaml", "999999", {"region": "eu"},
             teamtailor_key),
        Case("workable", "workable/bad_credentials_spi.yaml", "7E1A3C905B",
             {"subdomain": "example"}, workable_key),
        Case("workable", "workable/found_spi_constructed_7E1A3C905B.yaml", "7E1A3C905B",
             {"subdomain": "example"}, workable_key),
        Case("workable", "workable/found_spi_docs_groov005.yaml", "GROOV005",
             {"subdomain": "groove-tech"}, workable_key),
        *(Case("workable", "workable/found_widget_crewai.yaml", job_id, {"subdomain": "crewai"})
          for job_id in ("3862836931", "96051E9EDE", "0AB5665160", "B778F12851")),
        Case("workable", "workable/found_widget_zaelab.yaml", "DD136DD7E7",
             {"subdomain": "zaelab"}),
        Case("workable", "workable/not_found_spi.yaml", "0000000000", {"subdomain": "example"},
             workable_key),
        Case("workable", "workable/not_found_widget_account.yaml", "DD136DD7E7",
             {"subdomain": "no-such-account"}),
    ]  # fmt: skip
    workday = {
        "found_constructed_JR2034567_country_first.yaml": (
            "hooli", "wd5", "HooliExternalCareerSite", "Firmware-Validation-Engineer_JR2034567"),
        "found_constructed_R02345678_pay_additional_locations.yaml": (
            "acme", "wd1", "Careers", "Industrial-Coatings-Product-Manager_R02345678"),
        "found_constructed_R0234567_city_first_tr.yaml": (
            "initech", "wd3", "initech", "Electrical-Maintenance-Technician_R0234567"),
        "found_constructed_R500123_hybrid_end_date.yaml": (
            "globex", "wd5", "SearchJobs", "2027-Summer-Internship---Data-Engineering_R500123"),
        "found_workday_federal_JR-0105486.yaml": (
            "workday", "wd5", "Workday", "Sr-Site-Reliability-Engineer--US-Federal-_JR-0105486"),
        "not_found.yaml": ("workday", "wd5", "Workday", "No-Such-Posting_JR-0000000"),
    }  # fmt: skip
    cases += [
        Case("workday", f"workday/{cassette}", job_id,
             {"host": f"{tenant}.{pod}.myworkdayjobs.com", "tenant": tenant, "site": site})
        for cassette, (tenant, pod, site, job_id) in workday.items()
    ]  # fmt: skip
    return cases


CASES = _cases()


async def outcome(case: Case, store: Store) -> str:
    """What the resolver makes of the case's cassette: the SHA-256 of the Job's JSON (the
    same in its answer and in the store), or the error it ends in."""
    clock = ManualClock()
    http = HttpClient(transport=replay_transport([CASSETTES / case.cassette]), clock=clock)
    resolver = Resolver(
        store, keys=KeyRing([KeyRing.generate()]), registry=Registry.discover(), http=http,
        clock=clock,
    )  # fmt: skip
    tenant = await resolver.create_tenant("digests")
    await resolver.set_connection(tenant.name, case.mode, case.settings, case.credentials)
    try:
        job = await resolver.resolve(tenant.name, case.mode, case.job_id)
    except EmbloyAtsError as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        await http.aclose()
    answered = job.model_dump_json()
    stored = await store.get_job(tenant.id, case.mode, job.external_id)
    assert stored is not None, "the fetched job was stored"
    assert stored.job_json == answered, "the store holds the job as it was answered"
    return hashlib.sha256(answered.encode()).hexdigest()


def test_every_cassette_is_pinned() -> None:
    recorded = {str(path.relative_to(CASSETTES)) for path in CASSETTES.glob("*/*.yaml")}
    pinned = {case.cassette for case in CASES}
    assert pinned == recorded, "a cassette has no case here: add one, then write the table again"
    assert set(json.loads(DIGESTS.read_text(encoding="utf-8"))) == {c.name for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_the_cassette_becomes_the_same_job(case: Case, store: Store) -> None:
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))[case.name]
    assert await outcome(case, store) == expected


async def _write_table() -> None:
    table = {}
    for case in CASES:
        store = store_for("sqlite://:memory:")
        await store.open()
        try:
            table[case.name] = await outcome(case, store)
        finally:
            await store.close()
    DIGESTS.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(_write_table())
    sys.exit(0)
