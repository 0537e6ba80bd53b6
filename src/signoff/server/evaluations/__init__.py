"""Decisions the server computes itself on its registered copy of a repository (witnessed)."""
