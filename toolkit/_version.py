"""The toolkit's version (a leaf: the card and `corpus version` read it)."""

__version__ = "0.1.0"
