"""The HTTP API of the operations room (FastAPI): a thin shell over :mod:`opsroom.ops`."""

from opsroom.api.app import create_app

__all__ = ["create_app"]
