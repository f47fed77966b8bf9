"""What every part receives: the environment and the template's inputs."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Parameter

from generator.stack.environments import Environment
from generator.stack.function_specs import FUNCTIONS, FunctionSpec


@dataclass(frozen=True)
class Inputs:
    """The template's parameters; conditions are referred to by their names in stack.names."""

    artifact_bucket: Parameter
    artifact_key: Parameter
    alert_email: Parameter
    reserved_concurrency: Parameter
    manage_api_gateway_account: Parameter
    auth_domain_prefix: Parameter


@dataclass(frozen=True)
class Context:
    environment: Environment
    inputs: Inputs
    # The stack's Lambda functions (a test may add one to see what it brings).
    functions: tuple[FunctionSpec, ...] = FUNCTIONS

    @property
    def data_policy(self) -> str:
        """DeletionPolicy and UpdateReplacePolicy of resources that hold customer data."""
        return "Retain" if self.environment.retain_data else "Delete"
