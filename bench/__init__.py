"""Needlepoint's benchmark suite (bench/spec.md): `make bench`, or `python -m bench --help`."""
