"""API Gateway's own answers: the gateway response types, each with its status and the body
API Gateway (REST) writes for it, byte for byte."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GatewayError:
    response_type: str  # as AWS::ApiGateway::GatewayResponse names it
    status: int
    body: bytes
    error_type: str  # the x-amzn-ErrorType header

    @property
    def family(self) -> str:
        """DEFAULT_4XX or DEFAULT_5XX: the gateway response that applies when the template
        has none of this type."""
        return "DEFAULT_4XX" if self.status < 500 else "DEFAULT_5XX"


MISSING_AUTHENTICATION_TOKEN = GatewayError(
    "MISSING_AUTHENTICATION_TOKEN",
    403,
    b'{"message":"Missing Authentication Token"}',
    "MissingAuthenticationTokenException",
)
INVALID_API_KEY = GatewayError(
    "INVALID_API_KEY", 403, b'{"message":"Forbidden"}', "ForbiddenException"
)
UNAUTHORIZED = GatewayError(
    "UNAUTHORIZED", 401, b'{"message":"Unauthorized"}', "UnauthorizedException"
)
BAD_REQUEST_BODY = GatewayError(
    "BAD_REQUEST_BODY", 400, b'{"message": "Invalid request body"}', "BadRequestException"
)
THROTTLED = GatewayError(
    "THROTTLED", 429, b'{"message":"Too Many Requests"}', "TooManyRequestsException"
)
QUOTA_EXCEEDED = GatewayError(
    "QUOTA_EXCEEDED", 429, b'{"message":"Limit Exceeded"}', "LimitExceededException"
)
REQUEST_TOO_LARGE = GatewayError(
    "REQUEST_TOO_LARGE", 413, b'{"message":"Request Too Long"}', "RequestTooLargeException"
)
# A request API Gateway cannot read: a Content-Length that is not a number of bytes. AWS
# documents no answer for it (its front door answers before any gateway response applies);
# this is a 400 in API Gateway's own shape, under DEFAULT_4XX so the template's headers apply.
MALFORMED_REQUEST = GatewayError(
    "DEFAULT_4XX", 400, b'{"message":"Bad Request"}', "BadRequestException"
)
# A function that raised, or answered something that is not a proxy response.
FUNCTION_FAILED = GatewayError(
    "DEFAULT_5XX", 502, b'{"message": "Internal server error"}', "InternalServerErrorException"
)
INTEGRATION_TIMEOUT = GatewayError(
    "INTEGRATION_TIMEOUT",
    504,
    b'{"message": "Endpoint request timed out"}',
    "InternalServerErrorException",
)


def missing_parameters(names: list[str]) -> GatewayError:
    listed = ", ".join(names)
    return GatewayError(
        "BAD_REQUEST_PARAMETERS",
        400,
        f'{{"message": "Missing required request parameters: [{listed}]"}}'.encode(),
        "BadRequestException",
    )
