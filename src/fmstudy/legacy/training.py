"""0.1's ``fmstudy.training``, now :mod:`fmstudy.nets.training` (kept so what 0.1 wrote still loads)."""

import sys

from fmstudy.nets import training

sys.modules[__name__] = training
