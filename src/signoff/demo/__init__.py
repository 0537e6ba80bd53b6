"""Demonstrations for `make run` and the README: kept apart from the library they exercise."""
