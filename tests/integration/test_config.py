"""ParameterConfig against SSM on moto, and against SSM that is down (a closed or stopped port).

The function-level behaviour (what the API answers while SSM is down) is in test_faults.py;
these are the narrow cases: defaults, last good values, the pause after a failure, recovery.
"""

from __future__ import annotations

import json
import uuid

import pytest

import store.clients
from orders.errors import ConfigUnavailable
from orders.rules import ApiConfig, FeatureFlags
from store.clients import AwsClients
from store.config import ParameterConfig
from tests.support.aws import closed_port_url


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def ssm_fails_fast(monkeypatch):
    """No retries of a refused SSM connection (botocore backs off up to 1 s, then 2 s)."""
    monkeypatch.setattr(store.clients, "SSM_RETRY_ATTEMPTS", 0)


@pytest.fixture
def names(moto_clients):
    prefix = f"/food-delivery/test-{uuid.uuid4().hex[:12]}"
    return f"{prefix}/api-config", f"{prefix}/feature-flags"


def put(ssm, name, value):
    ssm.put_parameter(Name=name, Type="String", Value=json.dumps(value), Overwrite=True)


def config_at(endpoint, monkeypatch, names, **options):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", endpoint)
    api_config_name, flags_name = names
    return ParameterConfig(
        AwsClients(), api_config_name=api_config_name, feature_flags_name=flags_name, **options
    )


def test_never_read_api_config_falls_back_to_the_design_values_but_flags_do_not(monkeypatch, names):
    # Given SSM unreachable from the first request on (a cold start during an SSM outage)
    config = config_at(closed_port_url(), monkeypatch, names)
    # When api-config is asked for
    api_config = config.api_config()
    # Then it is the design's values: the clients and the rate limit keep working
    assert api_config == ApiConfig(
        default_timeout_ms=500, max_orders_per_hour=150, retry_attempts=3
    )
    # And the flags, which have no safe default, are unavailable (a 503 for what needs them)
    with pytest.raises(ConfigUnavailable):
        config.feature_flags()


def test_the_last_good_values_are_served_while_ssm_is_down_and_refreshed_after(
    monkeypatch, names, moto_clients, stoppable_server, caplog
):
    # Given both parameters read once, with no caching (every read asks SSM) and a 10 s pause
    # after a failure
    api_config_name, flags_name = names
    put(
        moto_clients.ssm,
        api_config_name,
        {"maxOrdersPerHour": 7, "defaultTimeout": 900, "retryAttempts": 1},
    )
    put(moto_clients.ssm, flags_name, {"loyaltyProgram": True})
    clock = Clock()
    config = config_at(
        stoppable_server.url,
        monkeypatch,
        names,
        max_age_seconds=0,
        retry_after_failure_seconds=10,
        clock=clock,
    )
    loaded = (config.api_config(), config.feature_flags())
    assert loaded == (ApiConfig(900, 7, 1), FeatureFlags(loyalty_program=True))

    # When SSM goes down
    stoppable_server.stop()
    # Then the values last read are served, and the log says so
    assert (config.api_config(), config.feature_flags()) == loaded
    assert "serving the last good value" in caplog.text

    # When SSM is back with new values, within the pause after the failure
    put(
        moto_clients.ssm,
        api_config_name,
        {"maxOrdersPerHour": 8, "defaultTimeout": 900, "retryAttempts": 1},
    )
    put(moto_clients.ssm, flags_name, {"loyaltyProgram": False})
    stoppable_server.start()
    # Then SSM is not asked yet: still the last good values
    assert (config.api_config(), config.feature_flags()) == loaded
    # When the pause is over
    clock.now += 10
    # Then the new values are read
    assert config.api_config() == ApiConfig(900, 8, 1)
    assert config.feature_flags() == FeatureFlags(loyalty_program=False)


def test_a_parameter_that_becomes_invalid_keeps_its_last_good_value(
    monkeypatch, names, moto_clients, moto_server
):
    # Given api-config read once, uncached
    api_config_name, _ = names
    put(moto_clients.ssm, api_config_name, {"maxOrdersPerHour": 7})
    config = config_at(
        moto_server, monkeypatch, names, max_age_seconds=0, retry_after_failure_seconds=0
    )
    assert config.api_config().max_orders_per_hour == 7
    # When someone overwrites it with a value that is not valid
    put(moto_clients.ssm, api_config_name, {"maxOrdersPerHour": "lots"})
    # Then the last good value is still used (not the defaults, not a 503)
    assert config.api_config().max_orders_per_hour == 7


def test_a_cold_start_recovers_when_ssm_comes_back(
    monkeypatch, names, moto_clients, stoppable_server
):
    # Given a cold start while SSM is down: flags unavailable, api-config at its defaults
    api_config_name, flags_name = names
    put(moto_clients.ssm, api_config_name, {"maxOrdersPerHour": 7})
    put(moto_clients.ssm, flags_name, {"expressDelivery": True})
    stoppable_server.stop()
    clock = Clock()
    config = config_at(
        stoppable_server.url, monkeypatch, names, retry_after_failure_seconds=10, clock=clock
    )
    assert config.api_config() == ApiConfig()
    with pytest.raises(ConfigUnavailable):
        config.feature_flags()
    # When SSM comes back and the pause after the failure is over
    stoppable_server.start()
    clock.now += 10
    # Then the parameters' own values are read
    assert config.api_config().max_orders_per_hour == 7
    assert config.feature_flags() == FeatureFlags(express_delivery=True)
