"""``digest email``: send an issue of the built digest over SMTP, or write it as an ``.eml`` file.

The digest is gathered from the kept state as the last build published it
(:func:`digest.build.current_digest`), so the email and the site agree; rendering lives in
:mod:`digest.writers.email`, sending here. A day without new papers sends nothing. The SMTP user
name and password come from environment variables named in the ``[email]`` section, never from
the file itself, so that a workflow can pass them from its secrets.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

from digest import atomic
from digest.config import Config, EmailConfig
from digest.errors import BuildError, ConfigError, MailError

EPILOG = """\
examples:
  digest email --dry-run                    (write digest-YYYY-MM-DD.eml, send nothing)
  digest email --latest --dry-run --eml latest.eml
  digest build && digest email              (send what the build just announced)
"""


def add_parser(subparsers: Any) -> None:
    """Add the ``email`` subcommand to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "email",
        help="email the day's issue (HTML and plain text) over SMTP",
        description="Email the issue of the build date (--date, SOURCE_DATE_EPOCH, else today)\n"
        "to the recipients of the [email] section of digest.toml, as HTML and plain text\n"
        "grouped by theme. A day without new papers sends nothing. The SMTP login comes from\n"
        "the environment variables named by email.smtp_user_env and email.smtp_password_env.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--date", metavar="YYYY-MM-DD", help="email the issue of this day (default: today)"
    )
    which.add_argument(
        "--latest", action="store_true", help="email the newest issue, whatever its date"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="write the message to a file instead of sending it"
    )
    parser.add_argument(
        "--eml",
        metavar="FILE",
        help="where --dry-run writes the message (default: digest-YYYY-MM-DD.eml)",
    )
    parser.add_argument(
        "--state", metavar="DIR", help="the folder of what digest keeps (default: state)"
    )
    parser.add_argument(
        "--cache",
        metavar="DIR",
        help="the folder of what digest can rebuild (default: .digest-cache)",
    )
    parser.add_argument(
        "--mkdocs-config", metavar="FILE", help="MkDocs config (default: mkdocs.yml)"
    )
    parser.add_argument(
        "--interests",
        metavar="FILE",
        help="papers you like: the email opens with the latest issue ranked for you",
    )


def run(args: argparse.Namespace, config: Config) -> int:
    """Render the chosen issue and send it, or write it with ``--dry-run``; return 0."""
    # Imported here: they pull in MkDocs, YAKE and feedgen, which `digest --help` does not need.
    from digest.build import build_date, current_digest
    from digest.writers import email as writer

    if not args.dry_run:
        check_sending(config.email)
    digest = current_digest(config)
    day = None if args.latest else build_date(config)
    issue = writer.issue_of(digest, day)
    if issue is None or not issue.paper_keys:
        when = "in the digest" if day is None else f"on {day.date().isoformat()}"
        print(f"No new papers {when}: no email sent.")
        return 0
    rendered = writer.render(digest, issue, config.email, email_templates(config))
    message = writer.message(rendered, config.email, digest, issue, sent_at())
    count = len(issue.paper_keys)
    if args.dry_run:
        path = Path(args.eml or f"digest-{issue.slug}.eml")
        atomic.write_file(path, message.as_bytes(policy=SMTP))
        print(f"Wrote the issue of {issue.slug} ({count} papers) to {path}; nothing was sent.")
        return 0
    send(message, config.email, os.environ)
    print(
        f"Sent the issue of {issue.slug} ({count} papers) to {len(config.email.to)} "
        f"recipient(s) through {config.email.smtp_host}."
    )
    return 0


def email_templates(config: Config) -> Path:
    """Return the email templates: ``email/`` beside the page templates, else the bundled."""
    from digest.writers.email import HTML_TEMPLATE, TEXT_TEMPLATE
    from digest.writers.templates import templates_dir

    here = Path(__file__).parent
    candidates = [
        here / "bundle" / "site_templates" / "email",
        here.parent / "site_templates" / "email",
    ]
    with contextlib.suppress(BuildError):  # no page templates: the bundled email ones
        candidates.insert(0, templates_dir(config.templates_dir) / "email")
    for folder in candidates:
        if all((folder / name).is_file() for name in (HTML_TEMPLATE, TEXT_TEMPLATE)):
            return folder
    raise BuildError("No email templates found: reinstall digest or add site_templates/email/")


def sent_at() -> datetime:
    """Date the message: SOURCE_DATE_EPOCH (a reproducible ``.eml``), else the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError, OSError):
        raise ConfigError(f"SOURCE_DATE_EPOCH must be whole seconds, got {epoch!r}") from None


def check_sending(settings: EmailConfig) -> None:
    """Refuse to send without a server, a sender and recipients: all missing ones at once."""
    missing = [
        f"email.{name}"
        for name, value in (
            ("smtp_host", settings.smtp_host),
            ("sender", settings.sender),
            ("to", settings.to),
        )
        if not value
    ]
    if missing:
        raise ConfigError(
            f"Cannot send the email: set {', '.join(missing)} in the [email] section of "
            "digest.toml (or use --dry-run to write the message to a file)"
        )


def send(
    message: EmailMessage,
    settings: EmailConfig,
    environ: Mapping[str, str],
    context: ssl.SSLContext | None = None,
) -> None:
    """Send ``message`` to ``settings.to`` through the configured SMTP server.

    ``context`` verifies the server's certificate (default: the system's trusted roots).
    """
    check_sending(settings)
    user = environ.get(settings.smtp_user_env, "")
    password = environ.get(settings.smtp_password_env, "")
    if bool(user) != bool(password):
        given, unset = (
            (settings.smtp_user_env, settings.smtp_password_env)
            if user
            else (settings.smtp_password_env, settings.smtp_user_env)
        )
        raise ConfigError(f"{given} is set but {unset} is not: set both to log in, or neither")
    if user and settings.smtp_security == "none":
        raise ConfigError(
            "email.smtp_security is 'none' but an SMTP login is set: the password would cross "
            "the network in clear. Use starttls or ssl"
        )
    context = context or ssl.create_default_context()
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        refused = _deliver(message, settings, context, user, password)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"The SMTP server {where} refused the login of {user!r}: {exc}") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"The SMTP server {where} cannot do what email.smtp_* ask: {exc}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(
            f"The SMTP server {where} refused every recipient: {', '.join(sorted(exc.recipients))}"
        ) from exc
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise MailError(f"Sending the email through {where} failed: {exc}") from exc
    if refused:
        raise MailError(
            f"The SMTP server {where} refused {len(refused)} recipient(s): "
            f"{', '.join(sorted(refused))}; the others got the email"
        )


def _deliver(
    message: EmailMessage,
    settings: EmailConfig,
    context: ssl.SSLContext,
    user: str,
    password: str,
) -> dict[str, tuple[int, bytes]]:
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout
    client = (
        smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        if settings.smtp_security == "ssl"
        else smtplib.SMTP(host, port, timeout=timeout)
    )
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=context)
        if user:
            client.login(user, password)
        return client.send_message(message, to_addrs=settings.to)
