"""Stage 2, judging predictions: accuracy with its bootstrap interval, paired tests between models, probabilities and calibration, and the PCA of the pixels."""
