"""``python -m opsroom``: the same as the ``opsroom`` command."""

from opsroom.cli import main

main()
