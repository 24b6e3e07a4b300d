"""0.1's ``fmstudy.narrative``, now :mod:`fmstudy.report.narrative` (kept so what 0.1 wrote still loads)."""

import sys

from fmstudy.report import narrative

sys.modules[__name__] = narrative
