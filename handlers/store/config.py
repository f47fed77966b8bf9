"""api-config, feature-flags and the partner registry from SSM, through Powertools Parameters,
cached for 5 minutes.

SSM being down must not take the API down with it. Each parameter's last good value is kept
for the life of the execution environment and served, with a warning in the log, whenever a
refresh fails (SSM unreachable, the parameter gone or no longer valid). A parameter that has
never been read:
- api-config falls back to ApiConfig's defaults (the design's values): it only tunes client
  timeouts, retries and the rate limit, so reads and updates keep working;
- feature-flags has no safe default (loyalty points in every answer, features to refuse), so
  a request that needs the flags is a 503 (ConfigUnavailable) until SSM answers;
- the partner registry has none either (no partner could be told from another): every
  request is a 503 until it has been read once.
After a failed refresh SSM is not asked again for RETRY_AFTER_FAILURE_SECONDS: every
DynamoDB and SQS call reads api-config, and each attempt on a hanging SSM costs seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger

from orders.errors import ConfigUnavailable
from orders.partners import PartnerRegistry
from orders.rules import ApiConfig, FeatureFlags
from store.clients import AwsClients

logger = Logger(child=True)

MAX_AGE_SECONDS = 300
RETRY_AFTER_FAILURE_SECONDS = 10.0

T = TypeVar("T")


class ParameterConfig:
    """ConfigSource on SSM. Nothing is read until a request asks for a value."""

    def __init__(
        self,
        clients: AwsClients,
        *,
        api_config_name: str,
        feature_flags_name: str | None = None,
        partner_registry_name: str | None = None,
        max_age_seconds: int | None = None,
        retry_after_failure_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """max_age_seconds / retry_after_failure_seconds: None reads the module's constants
        when a value is needed (so a test can shorten them for the functions it calls)."""
        self._clients = clients
        self._api_config_name = api_config_name
        self._feature_flags_name = feature_flags_name
        self._partner_registry_name = partner_registry_name
        self._max_age = max_age_seconds
        self._retry_after_failure = retry_after_failure_seconds
        self._clock = clock
        self._provider: Any = None
        self._last_good: dict[str, Any] = {}  # parameter name -> parsed value
        self._failure: dict[str, tuple[float, str]] = {}  # name -> (no retry until, reason)

    def api_config(self) -> ApiConfig:
        try:
            return self._read(self._api_config_name, ApiConfig.from_mapping)
        except ConfigUnavailable:  # never read (the failure is logged): the design's values
            return ApiConfig()

    def feature_flags(self) -> FeatureFlags:
        if self._feature_flags_name is None:
            raise ConfigUnavailable("this function has no feature-flags parameter")
        return self._read(self._feature_flags_name, FeatureFlags.from_mapping)

    def partners(self) -> PartnerRegistry:
        if self._partner_registry_name is None:
            raise ConfigUnavailable("this function has no partner registry parameter")
        return self._read(self._partner_registry_name, PartnerRegistry.from_mapping)

    def _read(self, name: str, parse: Callable[[Any], T]) -> T:
        """The parameter's current value; on failure its last good one; ConfigUnavailable if
        there is none."""
        now = self._clock()
        failed = self._failure.get(name)
        if failed is not None and now < failed[0]:
            # Failed moments ago: do not wait on SSM again.
            return cast(T, self._fallback(name, failed[1]))
        try:
            value = parse(self._get(name))
        except ConfigUnavailable as error:
            retry_after = (
                RETRY_AFTER_FAILURE_SECONDS
                if self._retry_after_failure is None
                else self._retry_after_failure
            )
            self._failure[name] = (now + retry_after, error.reason)
            logger.warning(
                "configuration refresh failed: serving the last good value"
                if name in self._last_good
                else "configuration refresh failed and no value was ever read"
                " (api-config: using its defaults; feature-flags: unavailable)",
                extra={"parameter": name, "reason": error.reason},
            )
            return cast(T, self._fallback(name, error.reason))
        self._failure.pop(name, None)
        self._last_good[name] = value
        return value

    def _fallback(self, name: str, reason: str) -> Any:
        if name in self._last_good:
            return self._last_good[name]
        raise ConfigUnavailable(reason)

    def _get(self, name: str) -> Any:
        # Powertools Parameters imports boto3: load it on the first request, not at import.
        from aws_lambda_powertools.utilities.parameters import SSMProvider
        from aws_lambda_powertools.utilities.parameters.exceptions import (
            GetParameterError,
            TransformParameterError,
        )

        if self._provider is None:
            self._provider = SSMProvider(boto3_client=self._clients.ssm())
        max_age = MAX_AGE_SECONDS if self._max_age is None else self._max_age
        try:
            return self._provider.get(name, transform="json", max_age=max_age)
        except (GetParameterError, TransformParameterError) as error:
            raise ConfigUnavailable(f"SSM parameter {name}: {error}") from error
