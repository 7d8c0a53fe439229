"""tei-edition: plain-text historical documents to a validated TEI P5 edition."""

__version__ = "0.1.0"
