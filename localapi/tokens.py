"""A local stand-in for the partners' Cognito token endpoint, and the check API Gateway's
COGNITO_USER_POOLS authorizer makes of a token. Used by `serve` and the tests only, never
deployed: moto holds the user pool and its app clients (ids, secrets, allowed scopes) but has
no OAuth token endpoint, and signs its own tokens with one static key.

The endpoint takes what Cognito's `/oauth2/token` takes for the client-credentials grant: a
form-encoded POST, the app client's id and secret in HTTP Basic, an optional `scope` (a subset
of the client's); it answers `{"access_token", "expires_in", "token_type"}` or Cognito's
`{"error": ...}`. Its tokens are RS256 JWTs signed with a key made at start (its public half
in the JWKS), with the claims Cognito writes into an access token.

The authorizer's check: RS256 only (no `none`, no HMAC), this issuer's key, its issuer, not
expired, `token_use` `access`, and one of the method's scopes among the token's. Passed, the
claims go to the function as API Gateway passes them: every value a string, `exp` and `iat`
as dates.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ALGORITHM = "RS256"
CLIENT_CREDENTIALS = "client_credentials"
# How API Gateway writes a date claim into the event: "Fri May 24 13:00:00 UTC 2024".
CLAIM_DATE_FORMAT = "%a %b %d %H:%M:%S UTC %Y"
_DATE_CLAIMS = ("exp", "iat")
_BEARER = "bearer "
# What Cognito's API takes as an app client id: anything else names no client, and moto's
# lookup would raise on it (botocore checks the length) instead of finding none.
_CLIENT_ID = re.compile(r"[\w+]{1,128}", re.ASCII)


@dataclass(frozen=True)
class TokenAnswer:
    status: int
    body: Mapping[str, Any]

    def json(self) -> bytes:
        # Compact, as Cognito's token endpoint answers.
        return json.dumps(self.body, separators=(",", ":")).encode()


@dataclass(frozen=True)
class AppClient:
    """What the token endpoint needs to know of an app client (moto holds it)."""

    client_id: str
    secret: str | None
    flows: tuple[str, ...]
    scopes: tuple[str, ...]
    access_token_seconds: int


def _refused(error: str, status: int = 400) -> TokenAnswer:
    return TokenAnswer(status, {"error": error})


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """(client id, secret) from `Authorization: Basic ...` (each form-urlencoded, RFC 6749);
    None when there are none, or when the client id could not be one."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    client_id = unquote(client_id)
    return (client_id, unquote(secret)) if colon and _CLIENT_ID.fullmatch(client_id) else None


class TokenIssuer:
    """Issues and checks a user pool's access tokens. `find_client` looks an app client up (in
    moto); None when the pool has no such client."""

    def __init__(
        self,
        *,
        issuer: str,
        find_client: Callable[[str], AppClient | None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self._find_client = find_client
        self._clock = clock
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_id = secrets.token_hex(8)

    # --- the token endpoint -------------------------------------------------------------

    def token_endpoint(self, form: bytes, authorization: str | None) -> TokenAnswer:
        try:
            fields = dict(parse_qsl(form.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return _refused("invalid_request")
        if fields.get("grant_type") != CLIENT_CREDENTIALS:
            return _refused("unsupported_grant_type")
        client = self._authenticated(authorization)
        if client is None:
            return _refused("invalid_client")
        if CLIENT_CREDENTIALS not in client.flows:
            return _refused("unauthorized_client")
        asked = fields.get("scope", "").split() or list(client.scopes)
        if not asked or any(scope not in client.scopes for scope in asked):
            return _refused("invalid_scope")
        token = self.issue(client.client_id, asked, lifetime=client.access_token_seconds)
        return TokenAnswer(
            200,
            {
                "access_token": token,
                "expires_in": client.access_token_seconds,
                "token_type": "Bearer",
            },
        )

    def _authenticated(self, authorization: str | None) -> AppClient | None:
        """The app client whose id and secret the Basic credentials are."""
        credentials = _basic_credentials(authorization)
        client = self._find_client(credentials[0]) if credentials else None
        if credentials is None or client is None or client.secret is None:
            return None
        if not secrets.compare_digest(credentials[1].encode(), client.secret.encode()):
            return None
        return client

    def issue(
        self,
        client_id: str,
        scopes: Sequence[str],
        *,
        lifetime: int = 3600,
        token_use: str = "access",  # noqa: S107 - a claim, not a password
        issued_at: float | None = None,
    ) -> str:
        """A token as Cognito writes an access token for the client-credentials grant."""
        now = int(self._clock() if issued_at is None else issued_at)
        claims = {
            "sub": client_id,
            "token_use": token_use,
            "scope": " ".join(scopes),
            "auth_time": now,
            "iss": self.issuer,
            "exp": now + lifetime,
            "iat": now,
            "version": 2,
            "jti": str(uuid.uuid4()),
            "client_id": client_id,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.key_id})

    def jwks(self) -> dict[str, Any]:
        """The public key, as Cognito publishes it at <issuer>/.well-known/jwks.json."""
        key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        key.update(kid=self.key_id, alg=ALGORITHM, use="sig")
        return {"keys": [key]}

    # --- the authorizer -----------------------------------------------------------------

    def authorize(self, header: str | None, scopes: Sequence[str]) -> dict[str, str] | None:
        """The claims API Gateway passes to the function, or None (401) for a missing or bad
        token, or one without any of the method's scopes."""
        token = (header or "").strip()
        if token.lower().startswith(_BEARER):
            token = token[len(_BEARER) :].strip()
        if not token:
            return None
        try:
            if jwt.get_unverified_header(token).get("kid") != self.key_id:
                return None
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "token_use", "client_id"]},
                leeway=0,
            )
        except jwt.PyJWTError:
            return None
        if claims.get("token_use") != "access":
            return None
        granted = str(claims.get("scope", "")).split()
        if not any(scope in granted for scope in scopes):
            return None
        return _as_api_gateway_passes(claims)


def _as_api_gateway_passes(claims: Mapping[str, Any]) -> dict[str, str]:
    passed = {}
    for name, value in claims.items():
        if name in _DATE_CLAIMS and isinstance(value, int):
            moment = dt.datetime.fromtimestamp(value, tz=dt.UTC)
            passed[name] = moment.strftime(CLAIM_DATE_FORMAT)
        else:
            passed[name] = str(value)
    return passed
