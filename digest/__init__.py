"""digest: static digest sites, feeds and emails from research paper abstracts."""

from digest.errors import DigestError

__version__ = "0.1.0"
__all__ = ["DigestError", "__version__"]
