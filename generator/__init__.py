"""Generates the CloudFormation templates of the food-delivery order API."""

__version__ = "1.0.0"
