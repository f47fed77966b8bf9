import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
# The Lambda code ships inside the generator package (generator/sources.py finds it there):
# a non-editable install reads its schemas and zips it like a checkout does.
LAMBDA_PACKAGE = "generator.lambda_code"
LAMBDA_SUBPACKAGES = ("orders", "store", "schemas")


def read_version() -> str:
    text = (HERE / "generator" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
    if match is None:
        raise RuntimeError("generator/__init__.py has no __version__")
    return match.group(1)


def read_requirements(path: str) -> list:
    lines = (HERE / path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


HANDLER_REQUIREMENTS = read_requirements("handlers/requirements.txt")
# What the handlers' unit and integration tests need: they also run on the Lambda runtime's
# Python, where the generator's own test tools (checkov, cfn-lint, the aws CLI) are not needed.
# hypothesis for the domain's property tests; pytest-xdist because the pytest settings ask
# for one process per core.
HANDLER_TEST_REQUIREMENTS = [
    *HANDLER_REQUIREMENTS,
    "pytest>=8",
    "pytest-xdist>=3.5",
    "moto[server]>=5.0.20",
    "hypothesis>=6.100",
]

CFN_LINT = "cfn-lint==1.58.0"
DOCS_REQUIREMENTS = ["mkdocs>=1.6,<2", "mkdocs-material>=9.5,<10"]

setup(
    name="food-delivery-infra",
    version=read_version(),
    description=(
        "CloudFormation (troposphere + awacs) and Lambda code of a serverless "
        "food-delivery order API"
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=["generator", "generator.*", "localapi"])
    + [LAMBDA_PACKAGE]
    + [f"{LAMBDA_PACKAGE}.{name}" for name in LAMBDA_SUBPACKAGES],
    package_dir={LAMBDA_PACKAGE: "handlers"},
    package_data={
        LAMBDA_PACKAGE: ["requirements.txt", "schemas/*.json"],
        # serve compiles it against DynamoDB Local's jar (localapi/dynamodb_local.py).
        "localapi": ["LoopbackDynamoDBLocal.java"],
    },
    install_requires=[
        "troposphere>=4.8,<5",
        "awacs>=2.4,<3",
        "boto3>=1.34",
        # Its copy of CloudFormation's registry schemas and IAM's service reference is what
        # the bootstrap template's execution role is derived from: pinned, so that the same
        # version gives the same template (a new one may change it: take it on purpose).
        CFN_LINT,
    ],
    extras_require={
        # What the Lambda code imports; also bundled into the artifact by `generator package`.
        "handlers": HANDLER_REQUIREMENTS,
        "handler-tests": HANDLER_TEST_REQUIREMENTS,
        # `python -m generator serve`: the handlers' own packages, moto as AWS, and JWTs for
        # its local token endpoint (RS256 needs cryptography).
        "serve": [*HANDLER_REQUIREMENTS, "moto[server]>=5.0.20", "PyJWT[crypto]>=2.8"],
        # The git hooks the testing guide suggests (`pre-commit install`).
        "dev": ["pre-commit>=3.5"],
        # The documentation site (`mkdocs serve`, `mkdocs build --strict`).
        "docs": DOCS_REQUIREMENTS,
        "test": [
            *DOCS_REQUIREMENTS,
            *HANDLER_TEST_REQUIREMENTS,
            "PyJWT[crypto]>=2.8",
            CFN_LINT,
            "awscli>=1.36",
            # tests/packaging builds the sdist and wheel (bdist_wheel is built in from 70.1).
            "setuptools>=70.1",
            # Pinned: a scanner upgrade can add checks; take new ones on purpose.
            "checkov==3.3.30",
            # Code health (tests/test_code_health.py); pinned for the same reason.
            "ruff==0.17.6",
            "mypy==2.4.1",
            "import-linter==2.17",
            "boto3-stubs[cloudformation,dynamodb,s3,sqs,ssm]>=1.34",
            "check-jsonschema>=0.29",
            # The workflows' static security audit (zizmor --offline); pinned like the other
            # scanners.
            "zizmor==1.33.1",
            "openapi-spec-validator>=0.7",
            # Fuzzing the local API from its OpenAPI document.
            "schemathesis>=4.0,<5",
        ],
    },
    entry_points={"console_scripts": ["food-delivery-generator=generator.__main__:main"]},
)
