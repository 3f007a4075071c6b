"""Compile: the curated tables and Turtle of ``ontology/`` into CytoKG's graphs, one module per table step."""

__all__: list[str] = []
