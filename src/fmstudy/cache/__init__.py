"""Stage 6, the cache: fitted models and trained networks kept on disk by a key of everything that made them, and its administration."""
