"""``python -m fmstudy`` runs the command line."""

import sys

from fmstudy.cli import main

sys.exit(main())
