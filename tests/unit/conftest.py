"""Unit tests: the domain and the HTTP glue, with no AWS at all."""

import os

# Powertools reads these when the handler modules are imported (Lambda sets them before
# that); the values are the template's.
for _name, _value in {
    "POWERTOOLS_SERVICE_NAME": "food-delivery-api",
    "POWERTOOLS_METRICS_NAMESPACE": "FoodDelivery",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}.items():
    os.environ.setdefault(_name, _value)
