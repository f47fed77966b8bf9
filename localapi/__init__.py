"""The order API on 127.0.0.1, from its CloudFormation template: `python -m generator serve`.

An emulation of API Gateway (REST) in front of the handlers, as SAM's `start-api` does without
Docker: the routes, API key, request validator, CORS preflight, gateway responses, usage plan
and stage come from the template; the functions run in worker processes with the environment
the template gives them; DynamoDB Local (where Java is found) holds the tables and moto serves
the rest of the AWS side. Used by `serve` and the tests only: it is never deployed. Importing
this package loads nothing else.
"""
