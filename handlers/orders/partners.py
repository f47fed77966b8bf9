"""Who is calling: the partner behind a request, from what API Gateway verified.

API Gateway's Cognito authorizer has checked the access token (signature, issuer, expiry,
the method's scope) before the function runs, and passes its claims in
`requestContext.authorizer.claims`. The partner is taken from those claims only, never from
the path, query or body: `token_use` must be `access`, the route's scope is checked again
(a method deployed without scopes would let ID tokens through), and the token's `client_id`
must be a partner of the registry, whose own API key the request must carry: another
partner's key (its quota) is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orders.errors import ConfigUnavailable, Forbidden

RESOURCE_SERVER = "orders-api"
READ = f"{RESOURCE_SERVER}/orders.read"
WRITE = f"{RESOURCE_SERVER}/orders.write"


@dataclass(frozen=True)
class Caller:
    """What API Gateway says of a request: the token's claims and the API key's id."""

    claims: Mapping[str, Any] | None
    api_key_id: str | None


@dataclass(frozen=True)
class Registration:
    partner: str
    api_key_id: str


@dataclass(frozen=True)
class PartnerRegistry:
    """The registry parameter: each app client id with its partner and that partner's key."""

    by_client: Mapping[str, Registration]

    @classmethod
    def from_mapping(cls, raw: Any) -> PartnerRegistry:
        if not isinstance(raw, Mapping):
            raise ConfigUnavailable("the partner registry is not a JSON object")
        entries = {}
        for client_id, entry in raw.items():
            if not (
                isinstance(entry, Mapping)
                and isinstance(entry.get("partner"), str)
                and isinstance(entry.get("apiKeyId"), str)
            ):
                raise ConfigUnavailable(f"partner registry entry {client_id!r} is malformed")
            entries[str(client_id)] = Registration(entry["partner"], entry["apiKeyId"])
        return cls(entries)


def identify(caller: Caller, *, scope: str, registry: PartnerRegistry) -> str:
    """The partner's name; Forbidden when the request is not a partner's, with this scope,
    through its own key."""
    claims = caller.claims
    if not isinstance(claims, Mapping) or claims.get("token_use") != "access":
        raise Forbidden("an access token of a partner is required")
    granted = str(claims.get("scope") or "").split()
    if scope not in granted:
        raise Forbidden(f"the access token lacks the scope {scope}")
    registration = registry.by_client.get(str(claims.get("client_id") or ""))
    if registration is None:
        raise Forbidden("the token's client is not a partner of this API")
    if caller.api_key_id != registration.api_key_id:
        raise Forbidden("the API key is not the token's partner's")
    return registration.partner
