"""Stage 3, figures: the study's matplotlib/seaborn figures, drawn from the typed records."""
