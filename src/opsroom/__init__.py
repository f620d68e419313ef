"""opsroom: the joint security operations room for mega sporting events."""

__version__ = "0.1.0"

__all__ = ["__version__"]
