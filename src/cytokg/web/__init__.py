"""The web app: SPARQL endpoint, entity pages, search, downloads and the service description."""

__all__: list[str] = []
