"""``python -m uprwatch.cli`` (the tests' subprocess runs use it): the same as the ``uprwatch`` command."""

from uprwatch.cli import main

main()
