"""Run the CytoKG command line with ``python -m cytokg``."""

from cytokg.cli import main

main()
