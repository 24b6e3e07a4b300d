"""Stage 8, the study: one frozen config, the profile's budget, and the run of tasks 1-5 into typed results."""
