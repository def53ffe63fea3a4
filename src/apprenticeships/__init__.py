"""Self-hostable platform behind the UK Apprenticeship Service APIs."""

__version__ = "0.1.0"
