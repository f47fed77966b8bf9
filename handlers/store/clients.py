"""boto3 clients, created lazily, one per (service, timeout, retries); injectable for tests.

boto3 reads AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> itself (boto3 >= 1.28), so local
endpoints need no code here; `endpoint_url` exists only for the redrive's --endpoint-url.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from typing import Any

from botocore import exceptions as botocore_errors
from botocore.exceptions import BotoCoreError, ClientError

# A failure to reach the service at all (refused, timed out, reset): botocore's
# ConnectionError covers EndpointConnectionError and ConnectTimeoutError, HTTPClientError
# covers ReadTimeoutError and ConnectionClosedError.
NETWORK_ERRORS: tuple[type[Exception], ...] = (
    botocore_errors.ConnectionError,
    botocore_errors.HTTPClientError,
)

# SSM is read before api-config is known, so its client has fixed, modest limits.
SSM_TIMEOUT_MS = 2_000
SSM_RETRY_ATTEMPTS = 2


# boto3 sessions are not thread-safe while creating clients: one lock for all of them.
_lock = threading.Lock()


@functools.cache
def _shared_session() -> Any:
    """One boto3 session per process: it caches the service models that every client loads.
    (Endpoints, credentials and region are still resolved when each client is created.)"""
    import boto3

    return boto3.session.Session()


class AwsClients:
    def __init__(
        self,
        *,
        prebuilt: Mapping[str, Any] | None = None,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        session: Any = None,
    ) -> None:
        """endpoint_url and region_name: for the redrive's options (Lambda sets neither)."""
        self._prebuilt = dict(prebuilt or {})
        self._endpoint_url = endpoint_url
        self._region_name = region_name
        self._session = session
        self._clients: dict[tuple[str, int | None, int | None], Any] = {}

    def region(self) -> str | None:
        """The region clients are created in (None: none configured anywhere)."""
        return self._region_name or self._boto3_session().region_name

    def has_credentials(self) -> bool:
        return self._boto3_session().get_credentials() is not None

    def get(
        self, service: str, *, timeout_ms: int | None = None, retry_attempts: int | None = None
    ) -> Any:
        """The client for service with these limits (botocore's defaults where None)."""
        if service in self._prebuilt:
            return self._prebuilt[service]
        key = (service, timeout_ms, retry_attempts)
        client = self._clients.get(key)
        if client is None:
            with _lock:
                client = self._clients.get(key)
                if client is None:
                    client = self._clients[key] = self._create(service, timeout_ms, retry_attempts)
        return client

    def ssm(self) -> Any:
        return self.get("ssm", timeout_ms=SSM_TIMEOUT_MS, retry_attempts=SSM_RETRY_ATTEMPTS)

    def _create(self, service: str, timeout_ms: int | None, retry_attempts: int | None) -> Any:
        # Imported here, not at module level: boto3 doubles a handler's cold import time.
        from botocore.config import Config

        options: dict[str, Any] = {}
        if timeout_ms is not None:
            options["connect_timeout"] = options["read_timeout"] = timeout_ms / 1000
        if retry_attempts is not None:
            # botocore's max_attempts counts retries, not the first attempt.
            options["retries"] = {"mode": "standard", "max_attempts": retry_attempts}
        extra = {"endpoint_url": self._endpoint_url} if self._endpoint_url else {}
        if self._region_name:
            extra["region_name"] = self._region_name
        return self._boto3_session().client(service, config=Config(**options), **extra)

    def _boto3_session(self) -> Any:
        return self._session if self._session is not None else _shared_session()


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def describe(error: Exception) -> str:
    """A short reason for logs and dead letters: the AWS error code, or for botocore's own
    errors (unreachable, no credentials) its type and what it says."""
    if isinstance(error, ClientError):
        return f"{error.operation_name}: {error_code(error) or 'ClientError'}"
    if isinstance(error, BotoCoreError):
        return f"{type(error).__name__}: {error}"
    return type(error).__name__
