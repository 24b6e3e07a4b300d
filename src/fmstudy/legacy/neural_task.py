"""0.1's ``fmstudy.neural_task``, now :mod:`fmstudy.study.train_networks` (kept so the
notebooks 0.1 wrote still run); ``summarise`` is now ``network_summary``."""

from fmstudy.study.train_networks import network_summary as summarise

__all__ = ["summarise"]
