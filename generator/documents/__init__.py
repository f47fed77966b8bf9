"""What is derived from a rendered template: the diagram, the OpenAPI document, the README's
generated sections."""
