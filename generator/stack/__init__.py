"""Building the templates: the stack, part by part, and the vocabulary it is written in."""
