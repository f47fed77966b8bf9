"""The order domain: model, rules, request validation and use cases. No boto3 here."""
