"""Where a query runs: killable local processes over the embedded store, or an external SPARQL store."""

__all__: list[str] = []
