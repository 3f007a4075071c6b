"""``cytokg curate …``: refresh the committed tables from reference data; never run by the build."""

__all__: list[str] = []
