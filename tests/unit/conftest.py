"""Unit tests: the domain and the HTTP glue, with no AWS at all (Powertools environment:
tests/conftest.py)."""
