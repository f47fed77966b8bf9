"""What every part receives: the environment and the template's inputs."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Parameter

from generator.environments import Environment


@dataclass(frozen=True)
class Inputs:
    """The template's parameters; conditions are referred to by their names in generator.names."""

    artifact_bucket: Parameter
    artifact_key: Parameter
    alert_email: Parameter
    reserved_concurrency: Parameter
    manage_api_gateway_account: Parameter


@dataclass(frozen=True)
class Context:
    environment: Environment
    inputs: Inputs

    def data_policies(self) -> dict[str, str]:
        """DeletionPolicy/UpdateReplacePolicy for resources that hold customer data."""
        policy = "Retain" if self.environment.retain_data else "Delete"
        return {"DeletionPolicy": policy, "UpdateReplacePolicy": policy}
