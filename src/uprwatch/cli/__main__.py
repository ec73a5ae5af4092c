"""``python -m uprwatch.cli``: the same command line as the ``uprwatch`` script (the browser tests use it)."""

from uprwatch.cli import main

main()
