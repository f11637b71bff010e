"""The pipeline's settings from the environment: durations, sizes, and refusals."""

from __future__ import annotations

import pytest
from embloy_ats.applications import DeliverySettings, limits_from_env
from embloy_ats.errors import ConfigurationError


def test_defaults_are_the_documented_ones() -> None:
    settings = DeliverySettings.from_env({})
    assert settings.deadline == 72 * 3600
    assert settings.lease <= 60, "a dead worker's applications wait at most a minute"
    assert settings.file_retention == 30 * 24 * 3600
    assert limits_from_env({}).max_file_bytes == 10 * 1024 * 1024


def test_durations_and_sizes_are_read_with_their_units() -> None:
    settings = DeliverySettings.from_env(
        {
            "EMBLOY_ATS_DELIVERY_DEADLINE": "36h",
            "EMBLOY_ATS_DELIVERY_LEASE": "1500ms",
            "EMBLOY_ATS_DELIVERY_CONCURRENCY": "3",
            "EMBLOY_ATS_APPLICATION_FILE_RETENTION": "7d",
            "EMBLOY_ATS_DELIVERY_BACKOFF_MAX": "90",
        }
    )
    assert (settings.deadline, settings.lease, settings.concurrency) == (36 * 3600, 1.5, 3)
    assert (settings.file_retention, settings.backoff_max) == (7 * 24 * 3600, 90)
    limits = limits_from_env({"EMBLOY_ATS_APPLY_MAX_FILE_SIZE": "512KiB"})
    assert limits.max_file_bytes == 512 * 1024


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EMBLOY_ATS_DELIVERY_DEADLINE", "three days"),
        ("EMBLOY_ATS_DELIVERY_LEASE", "5m"),  # a dead worker would hold its work 5 minutes
        ("EMBLOY_ATS_DELIVERY_CONCURRENCY", "0"),
        ("EMBLOY_ATS_APPLY_MAX_FILE_SIZE", "10 megs"),
        ("EMBLOY_ATS_APPLY_MAX_FILE_SIZE", "0"),
    ],
)
def test_a_bad_value_is_an_error_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        read_all({variable: value})


def read_all(environ: dict[str, str]) -> None:
    DeliverySettings.from_env(environ)
    limits_from_env(environ)
