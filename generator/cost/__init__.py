"""A monthly cost estimate of a stack, from its rendered template."""
