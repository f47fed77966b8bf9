"""An access token from serve's token endpoint, as a partner gets one from Cognito: the client
credentials grant, the app client's id and secret in a Basic header."""

from __future__ import annotations

import base64
import http.client
import json


def access_token(connection: http.client.HTTPConnection, client_id: str, secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    connection.request(
        "POST",
        "/oauth2/token",
        b"grant_type=client_credentials",
        {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    body = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"no token: {response.status} {body}")
    token: str = body["access_token"]
    return token
