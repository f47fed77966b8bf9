"""Data access: the only code that uses boto3 (DynamoDB, SQS, SSM through Powertools).

Nothing here touches AWS or imports boto3 at import time; clients are created on first use
and can be injected (`AwsClients(prebuilt={...})`).
"""
