"""0.1's ``fmstudy.subsets``, now :mod:`fmstudy.data.subsets` (kept so what 0.1 wrote still loads)."""

import sys

from fmstudy.data import subsets

sys.modules[__name__] = subsets
