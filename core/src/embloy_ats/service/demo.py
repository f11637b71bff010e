"""`embloy-ats demo`: the whole Apply-with-Embloy flow on this machine, offline.

Starts the service on the configured database (the embedded SQLite file by default) and a
local sandbox ATS that replays recorded answers, then plays the partner backend (client
token -> request token, as the Embloy SDKs do) and the candidate (apply handle, apply page).
A second run on the same database is answered from the store, and says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from embloy_ats.applications import submits
from embloy_ats.crypto import KeyRing
from embloy_ats.errors import ConfigurationError
from embloy_ats.http import HttpClient, local_client
from embloy_ats.model import Job
from embloy_ats.resolver import Resolver
from embloy_ats.sandbox import Sandbox
from embloy_ats.service.app import create_app
from embloy_ats.service.runner import serving
from embloy_ats.service.tokens import SECRET_KEY_ENV, TokenService, new_secret
from embloy_ats.store import DATABASE_URL_ENV, DEFAULT_DATABASE_URL, store_for

TENANT = "demo-employer"


@dataclass(frozen=True)
class RecordedJob:
    """A job whose ATS answers are recorded under `cassettes/<mode>/`, reached through a
    public way in (no credentials): what the sandbox ATS serves the demo."""

    mode: str
    job_id: str
    #: the connection's settings; `base_url` (the sandbox) is added by the demo.
    settings: Mapping[str, str]


#: the ATSs the demo can play, by mode; each replays recordings kept in cassettes/.
RECORDED_JOBS = {
    job.mode: job
    for job in (
        RecordedJob("greenhouse", "44444", {"board_token": "acme"}),
        RecordedJob("lever", "6d5cbe7f-e551-4ae1-b052-08a48f651993", {"site": "leverdemo"}),
        RecordedJob("recruitee", "2700825", {"company": "acme"}),
        RecordedJob("workable", "DD136DD7E7", {"subdomain": "zaelab"}),
        RecordedJob("ashby", "691c4294-855e-4ab9-b6d9-8d70c6e09866", {"job_board_name": "kovo"}),
    )
}
DEFAULT_ATS = "greenhouse"


def recorded_job(mode: str) -> RecordedJob:
    try:
        return RECORDED_JOBS[mode]
    except KeyError:
        raise ConfigurationError(
            f"the demo has no recorded ATS {mode[:40]!r}",
            hint=f"Choose one of: {', '.join(sorted(RECORDED_JOBS))}.",
        ) from None


async def run_demo(cassettes: Path, console: Console, ats: str = DEFAULT_ATS) -> Job:
    recorded = recorded_job(ats)
    if not (cassettes / recorded.mode).is_dir():
        raise ConfigurationError(
            f"no recorded answers under {cassettes / recorded.mode}",
            hint="Run the demo from the repository root, or pass --cassettes.",
        )
    database = os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
    secret = os.environ.get(SECRET_KEY_ENV) or new_secret()  # demo mode: a key per run is fine
    sandbox = Sandbox.from_directory(cassettes)
    http = HttpClient(allow_private_network=True)  # the sandbox lives on loopback
    resolver = Resolver(store_for(database), keys=KeyRing.from_env(), http=http)
    await resolver.open()  # a database that cannot be used stops the demo before it starts
    try:
        return await _play(recorded, sandbox, resolver, secret, database, console)
    finally:
        await resolver.close()


async def _play(
    recorded: RecordedJob,
    sandbox: Sandbox,
    resolver: Resolver,
    secret: str,
    database: str,
    console: Console,
) -> Job:
    say = console.print
    async with serving(sandbox.app) as ats_url:
        say(f"[bold]1.[/] sandbox ATS replaying {len(sandbox.answers)} recorded answers at "
            f"{ats_url} (no network)")  # fmt: skip
        tokens = TokenService(secret, resolver.store)
        async with serving(create_app(resolver, tokens, owns_resolver=False)) as service_url:
            say(f"[bold]2.[/] service at {service_url}, database {database}")
            tenant = await resolver.store.find_tenant(TENANT) or await resolver.create_tenant(
                TENANT
            )
            mode, settings = recorded.mode, dict(recorded.settings)
            await resolver.set_connection(TENANT, mode, settings | {"base_url": ats_url})
            given = ", ".join(f"{name} {value!r}" for name, value in settings.items())
            say(f"[bold]3.[/] tenant {TENANT!r} ({tenant.id}) connected to {mode} ({given})")
            client_token, jti = await tokens.issue_client_token(tenant.id, days=1)
            say(f"[bold]4.[/] client token issued (id {jti}); the partner keeps it secret")
            async with local_client(service_url) as web:
                exchange = await web.post(
                    "/api/v0/sdk/request/auth/token",
                    headers={"client_token": client_token},
                    data={"mode": mode, "job_slug": recorded.job_id,
                          "success_url": "https://partner.example/thanks"},
                )  # fmt: skip
                exchange.raise_for_status()
                request_token = exchange.json()["request_token"]
                redirect = f"{service_url}/sdk/apply?request_token={request_token[:16]}..."
                say(f"[bold]5.[/] partner backend: client token -> request token; candidate "
                    f"redirected to {redirect}")  # fmt: skip
                handled = await web.post(
                    "/api/v0/sdk/request/handle", headers={"request_token": request_token}
                )
                handled.raise_for_status()
                answer = handled.json()
                page = await web.get("/sdk/apply", params={"request_token": request_token})
                page.raise_for_status()
            source = answer["session"]["source"]
            how = (
                "fetched on demand from the ATS (first time this job is seen)"
                if source == "upstream"
                else "served from the store: this job was fetched on an earlier run"
            )
            say(f"[bold]6.[/] candidate lands: job {answer['job']['slug']} {how}")
            say(f"[bold]7.[/] apply page rendered: {len(answer['job']['questions'])} "
                f"application questions, {len(page.text)} bytes")  # fmt: skip
            if 'data-takes-applications="false"' in page.text:
                why = (
                    "the keys to store them are not set (EMBLOY_ATS_ENCRYPTION_KEYS)"
                    if submits(resolver.registry.get(mode).connector)
                    else f"the {mode} connector installed here cannot send them to its ATS"
                )
                say(f"   it takes no applications: {why}; it says so, with the way back")
            say(f"   the sandbox ATS received {sum(sandbox.hits.values())} request(s) this run")
            # The candidate got the job's public view; the operator sees the stored Job.
            return await resolver.resolve(tenant.id, mode, recorded.job_id)
