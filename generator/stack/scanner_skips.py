"""checkov checks this stack skips on purpose, each with the reason a reviewer can check.

They are written into the resource's Metadata, where checkov reads them; the README lists them.
"""

from __future__ import annotations

from typing import Any

NO_VPC = (
    "CKV_AWS_117",
    (
        "No VPC: the functions call only AWS APIs (DynamoDB, SQS, SSM, X-Ray) over TLS with IAM; "
        "a VPC would add NAT or endpoint cost and cold-start time without narrowing exposure"
    ),
)
NO_DLQ_FOR_SYNCHRONOUS_FUNCTION = (
    "CKV_AWS_116",
    (
        "Invoked only synchronously by API Gateway; a Lambda DLQ receives only failed "
        "asynchronous invocations, so it would never get a message"
    ),
)
NO_RESERVED_CONCURRENCY_FOR_READS = (
    "CKV_AWS_115",
    (
        "The read path is bounded by the stage and usage-plan throttle (100 req/s, burst 200); "
        "reserving concurrency for it would take capacity from the account pool"
    ),
)
NO_API_CACHE = (
    "CKV_AWS_120",
    (
        "Responses are per order and change with every update; a stage cache would serve stale "
        "order status and cost money for no hit rate"
    ),
)

# The bootstrap stack's artifact bucket.
ARTIFACT_BUCKET_WITHOUT_ACCESS_LOG = (
    "CKV_AWS_18",
    (
        "Only CloudFormation and the CI roles read and write it; CloudTrail records who did; "
        "a second bucket for access logs would log a bucket of build artifacts"
    ),
)


def checkov_metadata(*skips: tuple[str, str]) -> dict[str, Any]:
    return {"checkov": {"skip": [{"id": check, "comment": reason} for check, reason in skips]}}
