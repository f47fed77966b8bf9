"""What the functions may use, as the earlier parts built it: the resource behind each
lambda_functions.Resource, for the functions' environment and their roles' statements."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import AWSObject

from generator.stack.function_specs import Resource
from generator.stack.parts.encryption import Encryption
from generator.stack.parts.parameters import Parameters
from generator.stack.parts.queues import Queues
from generator.stack.parts.storage import Storage


@dataclass(frozen=True)
class Wiring:
    encryption: Encryption
    storage: Storage
    queues: Queues
    parameters: Parameters

    def resource(self, resource: Resource) -> AWSObject:
        return {
            Resource.ORDERS_TABLE: self.storage.orders_table,
            Resource.IDEMPOTENCY_TABLE: self.storage.idempotency_table,
            Resource.DEAD_LETTER_QUEUE: self.queues.dead_letter_queue,
            Resource.API_CONFIG: self.parameters.api_config,
            Resource.FEATURE_FLAGS: self.parameters.feature_flags,
            Resource.PARTNER_REGISTRY: self.parameters.partner_registry,
        }[resource]
