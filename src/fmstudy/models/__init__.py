"""Stage 5, classical models: scikit-learn estimators, the classifier zoo, resampling (cross-validation, 5x2cv, learning curves) and saved models."""
