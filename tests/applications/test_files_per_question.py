"""A service that takes several files per question (EMBLOY_ATS_APPLY_MAX_FILES_PER_QUESTION)
still takes no more for a job than its connector sends to the ATS: a second file is refused
on the apply page, naming the ATS, before anything is stored, rather than left out of the
delivery of an application that is then marked delivered."""

from __future__ import annotations

import dataclasses

import pytest
from embloy_ats.applications import Accepted, ApplicationService, InvalidApplication, Limits
from embloy_ats.submission.capability import max_files_per_question

from tests.applications import ats_fakes
from tests.applications.conftest import Pipeline

ats_pipeline = ats_fakes.ats_pipeline

#: every profile whose application carries a file.
WITH_FILES = [name for name, profile in ats_fakes.PROFILES.items() if profile.form_for(0)[1]]


def test_a_connector_sends_one_file_per_question_unless_it_declares_more() -> None:
    class Declares:
        max_submit_files_per_question = 3

    class Unusable:
        max_submit_files_per_question = 0

    assert max_files_per_question(object) == 1
    assert max_files_per_question(Declares) == 3
    assert max_files_per_question(Unusable) == 1


@pytest.mark.parametrize("ats_pipeline", WITH_FILES, indirect=True)
async def test_a_second_file_is_refused_naming_the_ats_before_anything_is_stored(
    ats_pipeline: Pipeline,
) -> None:
    service = ApplicationService(
        ats_pipeline.store, registry=ats_pipeline.registry,
        limits=Limits(max_files_per_question=3), clock=ats_pipeline.clock,
    )  # fmt: skip
    mode = ats_pipeline.job.connector
    name = ats_pipeline.registry.get(mode).connector.display_name
    assert name, "the refusal names the ATS"
    assert service.limits_for(mode).max_files_per_question == 1
    fields, files = ats_pipeline.form_for(0)
    field = next(iter(files))
    (first,) = files[field]
    files[field] = [first, dataclasses.replace(first, name="second-" + first.name)]
    result = await service.accept(ats_pipeline.tenant_id, ats_pipeline.job, fields, files)
    assert isinstance(result, InvalidApplication)
    assert result.fields == {
        field: f"Attach one file only (only one file per question is sent to {name})."
    }
    assert await ats_pipeline.store.list_applications(limit=10) == [], "nothing stored"
    files[field] = [first]
    assert isinstance(
        await service.accept(ats_pipeline.tenant_id, ats_pipeline.job, fields, files), Accepted
    ), "one file is taken"


async def test_a_connector_that_sends_more_files_takes_them_up_to_the_service_limit(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    mode = pipeline.job.connector
    connector = pipeline.registry.get(mode).connector
    monkeypatch.setattr(connector, "max_submit_files_per_question", 2, raising=False)
    service = ApplicationService(
        pipeline.store, registry=pipeline.registry, limits=Limits(max_files_per_question=3),
        clock=pipeline.clock,
    )  # fmt: skip
    limits = service.limits_for(mode)
    assert limits.max_files_per_question == 2
    name = connector.display_name
    assert limits.files_limit_reason == f"only 2 files per question are sent to {name}"
    monkeypatch.setattr(connector, "max_submit_files_per_question", 5)
    assert service.limits_for(mode) == service.limits, "the service's own limit is the lower"
