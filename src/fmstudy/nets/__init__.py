"""Stage 4, neural networks: a network is a spec (layers as data) built by one builder; named presets, training, saved networks and predicting with them."""
