"""Reading a rendered template (plain JSON data): resources of a type, references between
them, API paths, intrinsic functions. Standard library only: everything that reads a template
(documents, cost, release, the local API) stands on it."""
