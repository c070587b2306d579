"""The exceptions digest raises: the CLI turns each into a message and an exit code."""

from __future__ import annotations


class DigestError(Exception):
    """Base of every error digest reports to its user (exit code 1)."""


class ConfigError(DigestError):
    """A configuration value is missing, of the wrong type, or unknown."""


class SourceError(DigestError):
    """An input file or record cannot be read."""


class FetchError(DigestError):
    """A remote source failed to answer usefully; nothing was changed."""


class StateError(DigestError):
    """The kept state is missing, damaged, locked, or of a format this version cannot read."""


class KeywordError(DigestError):
    """Keyword extraction failed internally (not the same as "no keywords")."""


class BuildError(DigestError):
    """Rendering or publishing the site failed; the previous site is left in place."""


class StrictError(DigestError):
    """Warnings were raised and --strict asked for them to fail the run."""


class MailError(DigestError):
    """The SMTP server could not be reached, refused the login, or refused the message."""
