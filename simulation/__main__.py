"""``python -m simulation``: the ``fraudsim`` command line."""

import sys

from simulation.cli import main

if __name__ == "__main__":
    sys.exit(main())
