"""Exports of a built graph for other tools: SSSOM mappings, VoID linksets, Biolink KGX, OBO."""

__all__: list[str] = []
