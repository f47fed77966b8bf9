"""api-config and feature-flags from SSM, through Powertools Parameters, cached for 5 minutes."""

from __future__ import annotations

from typing import Any

from orders.errors import ConfigUnavailable
from orders.rules import ApiConfig, FeatureFlags
from store.clients import AwsClients

MAX_AGE_SECONDS = 300


class ParameterConfig:
    """ConfigSource on SSM. Nothing is read until a request asks for a value."""

    def __init__(
        self,
        clients: AwsClients,
        *,
        api_config_name: str,
        feature_flags_name: str | None = None,
        max_age_seconds: int = MAX_AGE_SECONDS,
    ) -> None:
        self._clients = clients
        self._api_config_name = api_config_name
        self._feature_flags_name = feature_flags_name
        self._max_age = max_age_seconds
        self._provider: Any = None

    def api_config(self) -> ApiConfig:
        return ApiConfig.from_mapping(self._get(self._api_config_name))

    def feature_flags(self) -> FeatureFlags:
        if self._feature_flags_name is None:
            raise ConfigUnavailable("this function has no feature-flags parameter")
        return FeatureFlags.from_mapping(self._get(self._feature_flags_name))

    def _get(self, name: str) -> Any:
        # Powertools Parameters imports boto3: load it on the first request, not at import.
        from aws_lambda_powertools.utilities.parameters import SSMProvider
        from aws_lambda_powertools.utilities.parameters.exceptions import (
            GetParameterError,
            TransformParameterError,
        )

        if self._provider is None:
            self._provider = SSMProvider(boto3_client=self._clients.ssm())
        try:
            return self._provider.get(name, transform="json", max_age=self._max_age)
        except (GetParameterError, TransformParameterError) as error:
            raise ConfigUnavailable(f"SSM parameter {name}: {error}") from error
