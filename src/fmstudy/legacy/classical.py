"""0.1's ``fmstudy.classical``, now :mod:`fmstudy.models.classical` (kept so what 0.1 wrote still loads)."""

import sys

from fmstudy.models import classical

sys.modules[__name__] = classical
