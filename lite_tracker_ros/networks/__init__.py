"""
PyTorch definitions of the tracker networks.

Parameter names match the official checkpoints, so they load strictly.
"""
