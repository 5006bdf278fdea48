"""Allow ``python -m cskit``."""

from cskit.cli import main

main()
