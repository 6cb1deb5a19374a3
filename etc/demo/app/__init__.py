"""A tiny key-value store with a command-line front end."""

from app.store import Store

__all__ = ["Store"]
__version__ = "0.1.0"
