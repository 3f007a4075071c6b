"""Run the CytoKG command line with ``python -m cytokg``."""

from .cli import main

main()
