"""PyTorch definitions of the tracker networks, with parameter names that match the official
checkpoints so they load strictly."""
