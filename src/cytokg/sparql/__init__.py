"""One SPARQL request, whatever the store: the safety check, media types, and result serialization."""

__all__: list[str] = []
