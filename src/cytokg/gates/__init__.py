"""Quality gates: each takes a staged release and returns a report (reasoner, SHACL, QC queries, OWL 2 DL)."""

__all__: list[str] = []
