"""Partners' identity: a Cognito user pool that holds only their app clients (OAuth 2.0
client credentials), its token endpoint's domain, the resource server that defines the API's
scopes, and each partner's app client and API key.

No physical name but the domain prefix: the token endpoint is
`https://<prefix>.auth.<region>.amazoncognito.com`, a prefix unique in the region across
every account, so the stack cannot let CloudFormation pick it. By default it is
`food-delivery-<env>-` plus the first 8 hex digits of the stack's id (its UUID): lower case,
under Cognito's 63 characters, without the words Cognito reserves, different for every stack
and stable for the stack's life. The AuthDomainPrefix parameter chooses one instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from troposphere import If, Join, Ref, Select, Split, StackId, Template, apigateway, cognito

from generator.stack import names
from generator.stack.context import Context
from generator.stack.environments import Partner
from generator.stack.scopes import RESOURCE_SERVER, Scope
from generator.stack.substitution import logical_id

ACCESS_TOKEN_MINUTES = 60
CLIENT_CREDENTIALS = "client_credentials"


@dataclass(frozen=True)
class PartnerCredentials:
    partner: Partner
    app_client: cognito.UserPoolClient
    api_key: apigateway.ApiKey


@dataclass(frozen=True)
class Partners:
    user_pool: cognito.UserPool
    domain: cognito.UserPoolDomain
    resource_server: cognito.UserPoolResourceServer
    credentials: tuple[PartnerCredentials, ...]  # in the environment's order

    @property
    def by_name(self) -> Mapping[str, PartnerCredentials]:
        return {entry.partner.name: entry for entry in self.credentials}


def _user_pool(ctx: Context) -> cognito.UserPool:
    return cognito.UserPool(
        names.USER_POOL,
        # Nobody signs up or signs in: the pool holds app clients, which only an operator adds.
        AdminCreateUserConfig=cognito.AdminCreateUserConfig(AllowAdminCreateUserOnly=True),
        DeletionProtection="ACTIVE" if ctx.environment.retain_data else "INACTIVE",
        # Replacing the pool replaces every app client: new ids and secrets for every partner.
        DeletionPolicy=ctx.data_policy,
        UpdateReplacePolicy=ctx.data_policy,
    )


def _domain(ctx: Context, user_pool: cognito.UserPool) -> cognito.UserPoolDomain:
    stack_uuid = Select(2, Split("/", StackId))
    derived = Join(
        "-", [f"food-delivery-{ctx.environment.name}", Select(0, Split("-", stack_uuid))]
    )
    return cognito.UserPoolDomain(
        names.USER_POOL_DOMAIN,
        UserPoolId=user_pool.ref(),
        Domain=If(names.HAS_AUTH_DOMAIN_PREFIX, Ref(ctx.inputs.auth_domain_prefix), derived),
    )


def _resource_server(user_pool: cognito.UserPool) -> cognito.UserPoolResourceServer:
    return cognito.UserPoolResourceServer(
        names.RESOURCE_SERVER,
        UserPoolId=user_pool.ref(),
        Identifier=RESOURCE_SERVER,
        Name="Food delivery order API",
        Scopes=[
            cognito.ResourceServerScopeType(
                ScopeName=scope.value, ScopeDescription=scope.description
            )
            for scope in Scope
        ],
    )


def _app_client(
    partner: Partner,
    user_pool: cognito.UserPool,
    resource_server: cognito.UserPoolResourceServer,
) -> cognito.UserPoolClient:
    return cognito.UserPoolClient(
        names.partner_app_client_id(partner.name),
        UserPoolId=user_pool.ref(),
        ClientName=partner.name,
        GenerateSecret=True,
        AllowedOAuthFlows=[CLIENT_CREDENTIALS],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=[scope.qualified for scope in Scope if scope in partner.scopes],
        # No user flow: ALLOW_REFRESH_TOKEN_AUTH is the one Cognito always needs listed.
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"],
        AccessTokenValidity=ACCESS_TOKEN_MINUTES,
        TokenValidityUnits=cognito.TokenValidityUnits(AccessToken="minutes"),
        EnableTokenRevocation=True,
        PreventUserExistenceErrors="ENABLED",
        # The scopes it lists exist only once the resource server does.
        DependsOn=[logical_id(resource_server)],
    )


def _api_key(partner: Partner) -> apigateway.ApiKey:
    return apigateway.ApiKey(
        names.partner_api_key_id(partner.name),
        Description=f"API key of partner {partner.name} (its usage plan: {partner.tier})",
        Enabled=True,
    )


def build(t: Template, ctx: Context) -> Partners:
    user_pool = t.add_resource(_user_pool(ctx))
    domain = t.add_resource(_domain(ctx, user_pool))
    resource_server = t.add_resource(_resource_server(user_pool))
    credentials = tuple(
        PartnerCredentials(
            partner=partner,
            app_client=t.add_resource(_app_client(partner, user_pool, resource_server)),
            api_key=t.add_resource(_api_key(partner)),
        )
        for partner in ctx.environment.partners
    )
    return Partners(
        user_pool=user_pool, domain=domain, resource_server=resource_server, credentials=credentials
    )
