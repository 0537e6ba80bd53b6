"""signoff: govern AI agents wherever they touch a software build or release."""

__version__ = "0.1.0"
