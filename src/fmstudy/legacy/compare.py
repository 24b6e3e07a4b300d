"""0.1's ``fmstudy.compare``, now :mod:`fmstudy.evaluation.compare` (kept so what 0.1 wrote still loads)."""

import sys

from fmstudy.evaluation import compare

sys.modules[__name__] = compare
