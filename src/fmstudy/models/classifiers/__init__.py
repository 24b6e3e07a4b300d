"""The classifier records, one module per kind (collected by :mod:`fmstudy.models.registry`),
and :mod:`.sources`, how their probabilities are made."""
