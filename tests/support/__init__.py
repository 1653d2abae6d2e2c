"""Shared personas, factories, worlds and fakes for the tests (docs/style.md "Tests")."""
