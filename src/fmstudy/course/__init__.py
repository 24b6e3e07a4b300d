"""Stage 10, for the course: the Jupyter notebook of the study and the teacher's key for all groups."""
