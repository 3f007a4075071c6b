"""CytoKG: an RDF/OWL knowledge graph of human cytokines."""

__all__ = ["__version__"]

__version__ = "0.1.0"
