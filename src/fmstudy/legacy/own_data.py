"""0.1's ``fmstudy.own_data``, now :mod:`fmstudy.data.own` (kept so what 0.1 wrote still loads)."""

import sys

from fmstudy.data import own

sys.modules[__name__] = own
