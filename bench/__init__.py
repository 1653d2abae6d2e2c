"""Needlepoint's benchmark suite (BENCHMARK.md): `make bench`, or `python -m bench --help`."""
