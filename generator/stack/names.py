"""Logical ids, export suffixes and parameter names.

These are constants for a reason: renaming a logical id makes CloudFormation replace the
resource in every deployed stack (a new, empty table). Never rename one after a release.
"""

# Template parameters.
ARTIFACT_BUCKET = "ArtifactBucket"
ARTIFACT_KEY = "ArtifactKey"
ALERT_EMAIL = "AlertEmail"
RESERVED_CONCURRENCY = "ReservedConcurrency"
MANAGE_API_GATEWAY_ACCOUNT = "ManageApiGatewayAccount"
AUTH_DOMAIN_PREFIX = "AuthDomainPrefix"

# Conditions.
HAS_ALERT_EMAIL = "HasAlertEmail"
HAS_RESERVED_CONCURRENCY = "HasReservedConcurrency"
MANAGES_API_GATEWAY_ACCOUNT = "ManagesApiGatewayAccount"
HAS_AUTH_DOMAIN_PREFIX = "HasAuthDomainPrefix"

# Encryption.
DATA_KEY = "DataKey"
DATA_KEY_ALIAS = "DataKeyAlias"

# Storage.
ORDERS_TABLE = "OrdersTable"
CUSTOMER_INDEX = "customerIdIndex"
IDEMPOTENCY_TABLE = "IdempotencyTable"
TABLE_READ_SCALING_TARGET = "OrdersTableReadScalingTarget"
TABLE_WRITE_SCALING_TARGET = "OrdersTableWriteScalingTarget"
INDEX_READ_SCALING_TARGET = "CustomerIndexReadScalingTarget"
INDEX_WRITE_SCALING_TARGET = "CustomerIndexWriteScalingTarget"
TABLE_READ_SCALING_POLICY = "OrdersTableReadScalingPolicy"
TABLE_WRITE_SCALING_POLICY = "OrdersTableWriteScalingPolicy"
INDEX_READ_SCALING_POLICY = "CustomerIndexReadScalingPolicy"
INDEX_WRITE_SCALING_POLICY = "CustomerIndexWriteScalingPolicy"

# Queues and alerts.
DEAD_LETTER_QUEUE = "OrderDeadLetterQueue"
DEAD_LETTER_QUEUE_POLICY = "OrderDeadLetterQueuePolicy"
ALERT_TOPIC = "AlertTopic"
ALERT_TOPIC_POLICY = "AlertTopicPolicy"
ALERT_SUBSCRIPTION = "AlertEmailSubscription"

# SSM parameters.
TABLE_NAME_PARAMETER = "TableNameParameter"
API_CONFIG_PARAMETER = "ApiConfigParameter"
FEATURE_FLAGS_PARAMETER = "FeatureFlagsParameter"
PARTNER_REGISTRY_PARAMETER = "PartnerRegistryParameter"

# Partners' identity: a Cognito user pool of app clients only, its token endpoint's domain,
# and the resource server that defines the API's scopes.
USER_POOL = "PartnerUserPool"
USER_POOL_DOMAIN = "PartnerUserPoolDomain"
RESOURCE_SERVER = "OrdersResourceServer"


# Each partner's resources are named after it: acme-eats -> PartnerAcmeEatsAppClient,
# PartnerAcmeEatsApiKey, PartnerAcmeEatsUsagePlanKey.
def partner_stem(partner: str) -> str:
    return "Partner" + "".join(part.capitalize() for part in partner.split("-"))


def partner_app_client_id(partner: str) -> str:
    return f"{partner_stem(partner)}AppClient"


def partner_api_key_id(partner: str) -> str:
    return f"{partner_stem(partner)}ApiKey"


def partner_usage_plan_key_id(partner: str) -> str:
    return f"{partner_stem(partner)}UsagePlanKey"


# Functions: each one's resources are named after it (generator/lambda_functions.py).
ORDER_PROCESSOR = "OrderProcessor"
QUERY_ORDERS = "QueryOrders"


def function_id(function: str) -> str:
    return f"{function}Function"


def role_id(function: str) -> str:
    return f"{function}Role"


def log_group_id(function: str) -> str:
    return f"{function}LogGroup"


def error_rate_alarm_id(function: str) -> str:
    return f"{function}ErrorRateAlarm"


# API.
API = "OrdersApi"
API_GATEWAY_ACCOUNT_ROLE = "ApiGatewayCloudWatchRole"
API_GATEWAY_ACCOUNT = "ApiGatewayAccount"
API_GATEWAY_ACCOUNT_READY = "ApiGatewayAccountReady"
API_ACCESS_LOG_GROUP = "ApiAccessLogGroup"
API_STAGE = "ApiStage"
# The deployment's logical id is this prefix plus a hash of the API definition.
API_DEPLOYMENT_PREFIX = "ApiDeployment"
API_AUTHORIZER = "PartnerAuthorizer"
# The usage plan of the standard tier; another tier's is this plus the tier's name.
API_USAGE_PLAN = "ApiUsagePlan"
API_REQUEST_VALIDATOR = "ApiRequestValidator"
ORDER_MODEL = "OrderModel"
ORDER_UPDATE_MODEL = "OrderUpdateModel"
WEB_ACL = "ApiWebAcl"
WEB_ACL_ASSOCIATION = "ApiWebAclAssociation"

# The API's path resources (their paths are in stack/api_contract.py). A method, its
# preflight and its invoke permission are named after the resource: OrdersResource ->
# OrdersPostMethod, OrdersOptionsMethod, OrdersPostInvokePermission.
ORDERS_RESOURCE = "OrdersResource"
ORDER_RESOURCE = "OrderResource"
CUSTOMER_RESOURCE = "CustomerResource"
CUSTOMER_ORDERS_RESOURCE = "CustomerOrdersResource"


def method_id(http_method: str, resource_id: str) -> str:
    return f"{_route_stem(http_method, resource_id)}Method"


def invoke_permission_id(http_method: str, resource_id: str) -> str:
    return f"{_route_stem(http_method, resource_id)}InvokePermission"


def gateway_response_id(response_kind: str) -> str:
    """response_kind: "4XX" or "5XX" (API Gateway's DEFAULT_4XX / DEFAULT_5XX)."""
    return f"GatewayResponse{response_kind}"


def usage_plan_id(tier: str) -> str:
    """standard -> ApiUsagePlan (its id before tiers existed), gold -> ApiUsagePlanGold."""
    if tier == "standard":
        return API_USAGE_PLAN
    return API_USAGE_PLAN + "".join(part.capitalize() for part in tier.split("-"))


def _route_stem(http_method: str, resource_id: str) -> str:
    return resource_id.removesuffix("Resource") + http_method.capitalize()


# Monitoring (each function's error-rate alarm: error_rate_alarm_id).
DASHBOARD = "Dashboard"
API_SERVER_ERROR_RATE_ALARM = "ApiServerErrorRateAlarm"
API_LATENCY_P99_ALARM = "ApiLatencyP99Alarm"
FUNCTION_THROTTLES_ALARM = "FunctionThrottlesAlarm"
TABLE_THROTTLES_ALARM = "TableThrottlesAlarm"
DEAD_LETTER_QUEUE_MESSAGES_ALARM = "DeadLetterQueueMessagesAlarm"

# Outputs: logical id -> export name suffix (exported as "<stack name>-<suffix>").
OUTPUT_API_URL = "ApiUrl"
OUTPUT_TOKEN_URL = "TokenUrl"  # noqa: S105 - a URL, not a secret
OUTPUT_USER_POOL_ID = "PartnerUserPoolId"
OUTPUT_PARTNER_REGISTRY = "PartnerRegistryParameterName"
OUTPUT_DASHBOARD_URL = "DashboardUrl"
OUTPUT_TABLE_NAME = "DynamoDBTableName"
OUTPUT_DLQ_URL = "DLQUrl"
EXPORT_SUFFIXES = {
    OUTPUT_API_URL: "api-url",
    OUTPUT_TOKEN_URL: "token-url",
    OUTPUT_USER_POOL_ID: "partner-user-pool-id",
    OUTPUT_PARTNER_REGISTRY: "partner-registry",
    OUTPUT_DASHBOARD_URL: "dashboard-url",
    OUTPUT_TABLE_NAME: "table-name",
    OUTPUT_DLQ_URL: "dlq-url",
}

# SSM parameter names, under /food-delivery/<stack name>/.
PARAMETER_PATH = "/food-delivery/${AWS::StackName}"
TABLE_NAME_PARAMETER_LEAF = "table-name"
API_CONFIG_PARAMETER_LEAF = "api-config"
FEATURE_FLAGS_PARAMETER_LEAF = "feature-flags"
PARTNER_REGISTRY_PARAMETER_LEAF = "partners"


# Each partner's outputs: its app client id and API key id (neither is a secret).
def partner_client_id_output(partner: str) -> str:
    return f"{partner_stem(partner)}ClientId"


def partner_api_key_id_output(partner: str) -> str:
    return f"{partner_stem(partner)}ApiKeyId"


def partner_export_suffix(partner: str, what: str) -> str:
    """partner-acme-eats-client-id: exported as "<stack name>-<suffix>" like the others."""
    return f"partner-{partner}-{what}"


SERVICE_NAME = "food-delivery-api"
METRICS_NAMESPACE = "FoodDelivery"


# The bootstrap stack (one per account and region): its template, stack name and logical ids.
BOOTSTRAP = "bootstrap"
BOOTSTRAP_STACK_NAME = "food-delivery-bootstrap"
BOOTSTRAP_TEMPLATE_FILE_NAME = "food-delivery-bootstrap.json"
ARTIFACT_BUCKET_RESOURCE = "ArtifactBucket"
ARTIFACT_BUCKET_POLICY = "ArtifactBucketPolicy"
EXECUTION_ROLE = "CloudFormationExecutionRole"
# The execution role's policies: this prefix and a number (IAM caps each at 6,144 characters).
EXECUTION_POLICY_PREFIX = "CloudFormationExecutionPolicy"
GITHUB_OIDC_PROVIDER = "GitHubOidcProvider"
DEPLOY_ROLE = "GitHubDeployRole"
PLAN_ROLE = "GitHubPlanRole"
# Bootstrap parameters and conditions.
GITHUB_REPOSITORY = "GitHubRepository"
GITHUB_OIDC_PROVIDER_ARN = "GitHubOidcProviderArn"
DEPLOY_BRANCH = "DeployBranch"
NONCURRENT_VERSION_DAYS = "NoncurrentVersionDays"
ARTIFACT_RETENTION_DAYS = "ArtifactRetentionDays"
HAS_GITHUB_REPOSITORY = "HasGitHubRepository"
CREATES_OIDC_PROVIDER = "CreatesGitHubOidcProvider"
# Bootstrap outputs (exported as "<stack name>-<suffix>").
OUTPUT_ARTIFACT_BUCKET = "ArtifactBucketName"
OUTPUT_ARTIFACT_PREFIX = "ArtifactPrefix"
OUTPUT_EXECUTION_ROLE = "ExecutionRoleArn"
OUTPUT_DEPLOY_ROLE = "DeployRoleArn"
OUTPUT_PLAN_ROLE = "PlanRoleArn"
BOOTSTRAP_EXPORT_SUFFIXES = {
    OUTPUT_ARTIFACT_BUCKET: "artifact-bucket",
    OUTPUT_ARTIFACT_PREFIX: "artifact-prefix",
    OUTPUT_EXECUTION_ROLE: "execution-role-arn",
    OUTPUT_DEPLOY_ROLE: "deploy-role-arn",
    OUTPUT_PLAN_ROLE: "plan-role-arn",
}
# Where releases go in the artifact bucket: the CI roles may write there and nowhere else.
ARTIFACT_PREFIX = "releases"
