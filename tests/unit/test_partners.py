"""Who is calling, from the claims API Gateway verified and the API key's id: no AWS."""

from __future__ import annotations

from typing import Any

import pytest

from orders.errors import ConfigUnavailable, Forbidden
from orders.partners import READ, WRITE, Caller, PartnerRegistry, Registration, identify

REGISTRY = PartnerRegistry(
    {
        "client-a": Registration("acme-eats", "key-a"),
        "client-b": Registration("city-couriers", "key-b"),
    }
)


def claims(**changes: str) -> dict[str, Any]:
    # As the Cognito authorizer passes them: every value a string, scopes space-separated
    return {
        "client_id": "client-a",
        "sub": "client-a",
        "token_use": "access",
        "scope": f"{READ} {WRITE}",
        "exp": "Fri May 24 13:00:00 UTC 2024",
        **changes,
    }


def test_a_partners_token_through_its_own_key_is_that_partner() -> None:
    assert identify(Caller(claims(), "key-a"), scope=WRITE, registry=REGISTRY) == "acme-eats"
    other = Caller(claims(client_id="client-b"), "key-b")
    assert identify(other, scope=READ, registry=REGISTRY) == "city-couriers"


@pytest.mark.parametrize(
    ("caller", "scope", "why"),
    [
        (Caller(None, "key-a"), READ, "an access token of a partner is required"),
        (Caller(claims(token_use="id"), "key-a"), READ, "an access token of a partner"),
        (Caller(claims(scope=READ), "key-a"), WRITE, "lacks the scope orders-api/orders.write"),
        (Caller(claims(scope=""), "key-a"), READ, "lacks the scope"),
        # a scope of the same name from another resource server is not the API's
        (Caller(claims(scope="other-api/orders.read"), "key-a"), READ, "lacks the scope"),
        (Caller(claims(client_id="client-z"), "key-a"), READ, "not a partner of this API"),
        (Caller(claims(client_id=""), "key-a"), READ, "not a partner of this API"),
        (Caller(claims(), "key-b"), READ, "not the token's partner's"),
        (Caller(claims(), None), READ, "not the token's partner's"),
    ],
)
def test_anything_else_is_forbidden(caller: Caller, scope: str, why: str) -> None:
    with pytest.raises(Forbidden, match=why):
        identify(caller, scope=scope, registry=REGISTRY)


def test_the_registry_is_read_from_the_parameters_json() -> None:
    registry = PartnerRegistry.from_mapping(
        {"client-a": {"partner": "acme-eats", "apiKeyId": "key-a"}}
    )
    assert registry.by_client == {"client-a": Registration("acme-eats", "key-a")}
    for malformed in ([], {"client-a": {"partner": "acme-eats"}}, {"c": "acme-eats"}):
        with pytest.raises(ConfigUnavailable):
            PartnerRegistry.from_mapping(malformed)
