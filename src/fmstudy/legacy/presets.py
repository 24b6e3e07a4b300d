"""0.1's ``fmstudy.presets``, now :mod:`fmstudy.nets.presets` (kept so what 0.1 wrote still loads)."""

import sys

from fmstudy.nets import presets

sys.modules[__name__] = presets
