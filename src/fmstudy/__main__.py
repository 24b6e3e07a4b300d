"""``python -m fmstudy`` runs the command line."""

import sys

from fmstudy.cli.main import main

sys.exit(main())
