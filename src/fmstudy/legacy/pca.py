"""0.1's ``fmstudy.pca``, now :mod:`fmstudy.evaluation.pca` (kept so what 0.1 wrote still loads)."""

import sys

from fmstudy.evaluation import pca

sys.modules[__name__] = pca
