"""``python -m homing`` runs the command line."""

from homing.cli import main

main()
