"""OneTake Desktop: offline one-way job interviews."""

__version__ = "0.1.0"
