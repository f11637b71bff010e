"""The connector contract's shared rules, shown on the minimal fake connector."""

from __future__ import annotations

import pytest
from embloy_ats import ConfigurationError

from tests.fakes import FakeConnector


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_blank_secret_is_refused_never_read_as_absent(blank: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        FakeConnector({}, {"api_key": blank})
    assert str(caught.value).startswith("fake: credentials: api_key is empty")


def test_unknown_fields_are_named_without_their_values() -> None:
    with pytest.raises(ConfigurationError) as caught:
        FakeConnector({"acount": "x"}, {"api_kee": "s3cr3t-value"})
    assert "setting 'acount'" in str(caught.value)
    assert "s3cr3t-value" not in str(caught.value)


def test_the_rate_limit_key_is_per_account_and_hides_the_secret() -> None:
    one = FakeConnector({}, {"api_key": "key-one"})
    two = FakeConnector({}, {"api_key": "key-two"})
    assert one.rate_limit_key != two.rate_limit_key
    assert one.rate_limit_key == FakeConnector({}, {"api_key": "key-one"}).rate_limit_key
    assert "key-one" not in one.rate_limit_key
