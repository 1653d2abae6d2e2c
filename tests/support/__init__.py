"""Shared personas, factories, worlds and fakes for the tests (STYLE.md "Tests")."""
