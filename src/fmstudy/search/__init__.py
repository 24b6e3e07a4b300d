"""Stage 7, the architecture search: Optuna trials over network specs, one or many workers (SQLite or PostgreSQL), and what they found."""
