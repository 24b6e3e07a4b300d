"""0.1's ``fmstudy.networks``, now :mod:`fmstudy.nets.spec` (kept so what 0.1 wrote still loads)."""

import sys

from fmstudy.nets import spec

sys.modules[__name__] = spec
