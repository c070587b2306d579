"""``python -m digest``: the same command line as the ``digest`` script."""

from digest.cli import run

run()
