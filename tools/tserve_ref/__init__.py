"""PyTorch reference implementation of the tserve model and decoding contract.

See docs/semantics.md for the contract this package implements.
"""
