"""The OAuth 2.0 scopes of the order API: its Cognito resource server and what each allows.

A method requires one scope; an access token carries `<resource server>/<scope>`.
"""

from __future__ import annotations

from enum import StrEnum

RESOURCE_SERVER = "orders-api"


class Scope(StrEnum):
    READ = "orders.read"  # GET an order, list a customer's orders
    WRITE = "orders.write"  # place and update orders

    @property
    def qualified(self) -> str:
        """As a token and a method's AuthorizationScopes carry it: `orders-api/orders.read`."""
        return f"{RESOURCE_SERVER}/{self.value}"

    @property
    def description(self) -> str:
        return {Scope.READ: "Read orders", Scope.WRITE: "Place and update orders"}[self]


# The scope a method needs, by HTTP method: reads need READ, anything else WRITE.
READ_METHODS = frozenset({"GET", "HEAD"})


def required_scope(http_method: str) -> Scope:
    return Scope.READ if http_method.upper() in READ_METHODS else Scope.WRITE
