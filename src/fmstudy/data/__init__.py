"""Stage 1, the data: Fashion-MNIST's IDX files, scikit-learn's digits or your own images (folders, CSV, .npz) read, checked and cut into the study's class subsets."""
