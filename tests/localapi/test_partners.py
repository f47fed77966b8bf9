"""Partners through `serve` over HTTP: each partner's token (from the local token endpoint,
against the app clients moto holds) and key reach only its own orders; the authorizer refuses
what API Gateway's refuses, with a 401 before any function runs."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from generator.stack.sources import HANDLERS
from localapi.aws import free_port
from localapi.local_api import LocalApi
from tests.localapi.conftest import READ, READ_ONLY, WRITE, A, B, Served
from tests.support import http
from tests.support.api import order_body

UNAUTHORIZED = b'{"message":"Unauthorized"}'


def test_another_partners_order_and_customer_do_not_exist(served: Served) -> None:
    # Given partner A's order for its customer
    customer = f"shared-{uuid.uuid4().hex[:8]}"
    created = served.call("POST", "/orders", body=order_body(customerId=customer), partner=A)
    assert created.status == 201, created.body
    order_id = created.json()["orderId"]
    # When partner B, with its own token and key, reads, updates and lists
    read = served.call("GET", f"/orders/{order_id}", partner=B)
    updated = served.call("PUT", f"/orders/{order_id}", body={"status": "cancelled"}, partner=B)
    listed = served.call("GET", f"/orders/customer/{customer}", partner=B)
    # Then the order does not exist for B, and A's customer has no orders
    assert (read.status, read.json()["error"]["code"]) == (404, "OrderNotFound")
    assert (updated.status, updated.json()["error"]["code"]) == (404, "OrderNotFound")
    assert (listed.status, listed.json()) == (200, {"orders": [], "nextToken": None})
    # And for A nothing changed
    assert served.call("GET", f"/orders/{order_id}", partner=A).json()["status"] == "pending"


def test_a_read_only_token_reads_but_cannot_place_an_order(served: Served) -> None:
    # Given partner A's token asked for the read scope only
    read_only = served.token(A, scope=READ)
    # When it reads, and when it posts
    listed = served.call("GET", "/orders/customer/c-1", token=read_only)
    posted = served.call("POST", "/orders", body=order_body(), token=read_only)
    # Then the read passes, and the post is refused by API Gateway's authorizer itself
    assert listed.status == 200
    assert (posted.status, posted.body) == (401, UNAUTHORIZED)
    assert posted.headers["access-control-allow-origin"] == "*"


def test_a_read_only_partner_is_never_given_the_write_scope(served: Served) -> None:
    partner = served.partners[READ_ONLY]
    assert partner.scopes == (READ,)
    refused = served.request_token(
        f"grant_type=client_credentials&scope={WRITE}".encode(), partner.basic
    )
    assert (refused.status, refused.json()) == (400, {"error": "invalid_scope"})
    assert served.call("GET", "/orders/customer/c-1", partner=READ_ONLY).status == 200


def test_a_partners_token_with_another_partners_key_is_forbidden(served: Served) -> None:
    reply = served.call(
        "GET",
        "/orders/customer/c-1",
        token=served.token(A),
        headers={"x-api-key": served.partners[B].api_key},
        key=False,
    )
    assert reply.status == 403
    assert reply.json()["error"] == {
        "code": "Forbidden",
        "message": "the API key is not the token's partner's",
    }


@pytest.mark.parametrize("token", [None, "", "not-a-jwt", "Bearer "])
def test_no_token_or_not_a_token_is_unauthorized_before_any_function(
    served: Served, token: str | None
) -> None:
    before = served.settled_line_count()
    headers = {} if token is None else {"Authorization": token}
    reply = served.call("GET", "/orders/customer/c-1", token=None, headers=headers)
    assert (reply.status, reply.body) == (401, UNAUTHORIZED)
    assert reply.headers["x-amzn-errortype"] == "UnauthorizedException"
    line = served.wait_for_line(lambda line: '"GET /orders/customer/c-1" 401' in line)
    assert line.endswith("UNAUTHORIZED")
    assert not [logged for logged in served.log_lines_since(before) if logged.startswith("[Query")]


def test_the_token_endpoint_answers_as_cognitos(served: Served) -> None:
    partner = served.partners[A]
    # A token for the client's own scopes, when it asks for none
    issued = served.request_token(b"grant_type=client_credentials", partner.basic)
    assert issued.status == 200
    body = issued.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert set(claims["scope"].split()) == set(partner.scopes)
    assert (claims["client_id"], claims["token_use"]) == (partner.client_id, "access")
    assert claims["exp"] - claims["iat"] == 3600
    # Refusals, each with Cognito's error
    wrong_secret = "Basic " + base64.b64encode(f"{partner.client_id}:nope".encode()).decode()
    for form, authorization, content_type, error in (
        (b"grant_type=client_credentials", wrong_secret, None, "invalid_client"),
        (b"grant_type=client_credentials", None, None, "invalid_client"),
        (b"grant_type=password", partner.basic, None, "unsupported_grant_type"),
        (b"grant_type=client_credentials&scope=other/x", partner.basic, None, "invalid_scope"),
        (
            b'{"grant_type":"client_credentials"}',
            partner.basic,
            "application/json",
            "invalid_request",
        ),
    ):
        kwargs = {"content_type": content_type} if content_type else {}
        refused = served.request_token(form, authorization, **kwargs)
        assert (refused.status, refused.json()) == (400, {"error": error}), error
    # And the key set holds the one RS256 key that signs them
    [key] = served.call("GET", "/.well-known/jwks.json", key=False, token=None).json()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert key["kid"] == jwt.get_unverified_header(body["access_token"])["kid"]


# --- tokens only the issuer's key can make: through a LocalApi in this process --------------


@pytest.fixture(scope="module")
def local() -> Iterator[LocalApi]:
    api = LocalApi(
        render(ENVIRONMENTS["dev"]).editable(),
        handlers_dir=HANDLERS,
        port=free_port(),
        stack_name=f"partners-{uuid.uuid4().hex[:8]}",
        workers_per_function=1,
        log=lambda line: None,
    )
    api.start()
    yield api
    api.stop()


def _get(local: LocalApi, authorization: str) -> tuple[int, bytes]:
    partner = local.partners[0]
    assert partner.api_key is not None
    reply = http.request(
        local.url,
        "GET",
        "/orders/customer/c-1",
        headers={"x-api-key": partner.api_key.value, "Authorization": authorization},
    )
    return reply.status, reply.body


def _claims(local: LocalApi) -> dict[str, Any]:
    assert local.issuer is not None
    partner = local.partners[0]
    now = int(time.time())
    return {
        "sub": partner.client_id,
        "client_id": partner.client_id,
        "token_use": "access",
        "scope": READ,
        "iss": local.issuer.issuer,
        "iat": now,
        "exp": now + 3600,
    }


def _tampered(token: str, **changes: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_valid_token_passes_and_forged_expired_or_id_tokens_do_not(local: LocalApi) -> None:
    assert local.issuer is not None
    issuer = local.issuer
    partner = local.partners[0]
    valid = issuer.issue(partner.client_id, [READ])
    # What an attacker knows: the public key (its modulus), tried as an HMAC secret
    public = issuer.jwks()["keys"][0]["n"].encode()
    refused = {
        "expired": issuer.issue(partner.client_id, [READ], issued_at=time.time() - 3601),
        "an ID token": issuer.issue(partner.client_id, [READ], token_use="id"),
        "tampered": _tampered(valid, client_id=local.partners[1].client_id),
        "alg none": jwt.encode(_claims(local), None, algorithm="none"),
        "HS256 with the public key as secret": jwt.encode(
            _claims(local), public, algorithm="HS256", headers={"kid": issuer.key_id}
        ),
        "another issuer": _issued_by_another_pool(local),
    }
    assert _get(local, f"Bearer {valid}")[0] == 200
    assert _get(local, valid)[0] == 200  # without "Bearer", as API Gateway also takes it
    for why, token in refused.items():
        assert _get(local, f"Bearer {token}") == (401, UNAUTHORIZED), why


def _issued_by_another_pool(local: LocalApi) -> str:
    """Signed with the issuer's key, for another user pool's issuer name."""
    assert local.issuer is not None
    own, local.issuer.issuer = local.issuer.issuer, "https://cognito-idp.us-east-1.amazonaws.com/x"
    try:
        return local.issuer.issue(local.partners[0].client_id, [READ])
    finally:
        local.issuer.issuer = own


def test_a_token_of_another_key_is_unauthorized(local: LocalApi) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    assert local.issuer is not None
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = _claims(local)
    signed_elsewhere = jwt.encode(
        claims, other_key, algorithm="RS256", headers={"kid": local.issuer.key_id}
    )
    assert _get(local, f"Bearer {signed_elsewhere}") == (401, UNAUTHORIZED)
