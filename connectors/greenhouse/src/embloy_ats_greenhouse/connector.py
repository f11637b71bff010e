"""Greenhouse: the public Job Board API (no credentials)."""

from __future__ import annotations

from typing import ClassVar

from embloy_ats import Connector, ConnectorSettings, Job, PayloadError, RateLimitPolicy
from embloy_ats.auth import AuthKind
from embloy_ats.parsing import require_object, require_text
from embloy_ats.validation import NUMERIC_ID, PathSegment
from pydantic import Field

from embloy_ats_greenhouse.job_board import job_fields


class GreenhouseSettings(ConnectorSettings):
    board_token: PathSegment = Field(
        description="The job board's token: `acme` in boards.greenhouse.io/acme.",
    )


class GreenhouseConnector(Connector):
    mode: ClassVar[str] = "greenhouse"
    display_name: ClassVar[str] = "Greenhouse"
    settings_model = GreenhouseSettings
    auth_kinds = (AuthKind.NONE,)
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric job post id (`gh_jid` in the posting URL)"
    default_base_url = "https://boards-api.greenhouse.io"
    # The Job Board API is cached by Greenhouse and documents no limit; we stay polite.
    rate_limit = RateLimitPolicy(50, 10.0, note="undocumented for the Job Board API; polite cap")
    supports_questions = True
    supports_compensation = True
    docs_url = "https://developers.greenhouse.io/job-board.html"

    settings: GreenhouseSettings

    async def load_job(self, job_id: str) -> Job:
        fetched = await self.get_json(
            "/v1/boards/{board}/jobs/{job_id}",
            job_id=job_id,
            params={"questions": "true", "pay_transparency": "true"},
            board=self.settings.board_token,
        )
        payload = require_object(fetched.data, connector=self.mode, job_id=job_id, what="a job")
        external_id = require_text(payload, "id", connector=self.mode, job_id=job_id)
        if external_id != job_id:
            raise PayloadError(
                f"answered job {external_id[:32]!r} when asked for this one",
                connector=self.mode,
                job_id=job_id,
            )
        return self.new_job(external_id=external_id, fetched=[fetched], **job_fields(payload))
