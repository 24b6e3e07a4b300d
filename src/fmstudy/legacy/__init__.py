"""0.1's module names, importable as ``fmstudy.NAME`` (see README.md here)."""
