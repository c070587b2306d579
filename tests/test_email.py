"""The email digest: rendered from the built digest, sent to a local SMTP server (aiosmtpd).

Oracles: the message is multipart/alternative with a text/plain and a text/html part; every
link is absolute and every site link lands on a page and anchor of the built site; hostile
titles stay text (parsed with lxml, and opened in headless Chromium where it is installed).
"""

from __future__ import annotations

import email
import logging
import shutil
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from conftest import EPOCH, SITE_URL, Site, build_site, write_listing

from digest.cli import main
from digest.config import EmailConfig, load_config
from digest.errors import ConfigError, MailError
from digest.mail import send

TO = ["reader@example.org", "other@example.org"]
SENDER = "digest@example.org"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """main() configures the ``digest`` logger; put it back for the other tests' caplog."""
    logger = logging.getLogger("digest")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


# -- a local SMTP server ----------------------------------------------------------------------
@dataclass
class Inbox:
    """What the local SMTP server received."""

    envelopes: list[Envelope] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"me", b"secret")
        if ok:
            self.logins.append(data.login.decode())
        # handled=False: aiosmtpd answers 535 itself (handled=True would leave it silent).
        return AuthResult(success=ok, handled=False)

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content or b"", policy=default)  # type: ignore[misc]
            for e in self.envelopes
        ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A plain SMTP server on 127.0.0.1 (no TLS, no login): a local relay."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context trusting it) from a throw-away CA."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


def settings(port: int, security: str = "none", **more: Any) -> EmailConfig:
    return EmailConfig(
        to=list(TO),
        sender=SENDER,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security=security,
        smtp_timeout=10.0,
        **more,
    )


# -- helpers ----------------------------------------------------------------------------------
def write_config(root: Path, site: Site, port: int = 25, extra: str = "") -> Path:
    """A digest.toml in ``root`` that reads ``site``'s state and sends to ``port``."""
    path = root / "digest.toml"
    path.write_text(
        f'mkdocs_config = "{site.root / "mkdocs.yml"}"\n'
        f'templates_dir = "{site.root / "site_templates"}"\n'
        f'state = "{site.root / "state"}"\n'
        f'cache = "{site.root / ".digest-cache"}"\n'
        "[keywords]\nworkers = 1\n"
        "[email]\n"
        f"to = {TO!r}\n".replace("'", '"')
        + f'sender = "{SENDER}"\n'
        f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_security = "none"\n' + extra,
        encoding="utf-8",
    )
    return path


def run_email(config: Path, *args: str, monkeypatch: pytest.MonkeyPatch, epoch: int = EPOCH) -> int:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    monkeypatch.delenv("SMTP_USER", raising=False)
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    monkeypatch.chdir(config.parent)
    return main(["--config", str(config), "email", *args])


def parts(message: EmailMessage) -> tuple[str, str]:
    """Return the plain text and HTML bodies of a multipart/alternative message."""
    assert message.get_content_type() == "multipart/alternative"
    types = [p.get_content_type() for p in message.iter_parts()]
    assert types == ["text/plain", "text/html"]
    text = message.get_body(("plain",))
    page = message.get_body(("html",))
    assert text is not None and page is not None
    return text.get_content(), page.get_content()


def hrefs(page: str) -> list[str]:
    return [str(h) for h in lxml.html.fromstring(page).xpath("//a/@href")]


def assert_inert(page: str) -> None:
    """No markup the template did not write: no script, no handler, no javascript: link."""
    tree = lxml.html.fromstring(page)
    assert tree.xpath("//script | //iframe | //object | //embed | //img") == []
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert "javascript:" not in value.lower(), (element.tag, name, value)


# -- sending the bundled example --------------------------------------------------------------
def test_the_bundled_example_arrives_with_both_parts(
    seed_site: Site,
    smtp: tuple[Inbox, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, port = smtp
    config = write_config(tmp_path, seed_site, port)
    assert run_email(config, monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == (
        "Sent the issue of 2023-11-14 (195 papers) to 2 recipient(s) through 127.0.0.1.\n"
    )
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == SENDER and envelope.rcpt_tos == TO
    (message,) = inbox.messages()
    assert message["Subject"] == "Research digest: 2023-11-14 (195 new)"
    assert message["From"] == SENDER and message["To"] == ", ".join(TO)
    assert message["Auto-Submitted"] == "auto-generated"
    text, page = parts(message)
    assert "195 new papers in" in text and f"{SITE_URL}issues/2023-11-14/" in text
    links = hrefs(page)
    assert links and all(urlsplit(h).scheme in ("http", "https") for h in links)
    assert f"{SITE_URL}issues/2023-11-14/" in links
    # Every theme of the site is a section; every site link points at a real page and anchor.
    digest = seed_site.result.digest
    for theme in digest.themes:
        assert f"{SITE_URL}themes/{theme.slug}/" in links
    for href in links:
        if href.startswith(SITE_URL):
            _assert_lands(seed_site, href)
    # Inlined CSS: no <style> block left, styled elements carry style attributes.
    tree = lxml.html.fromstring(page)
    # Each theme heading counts all its papers of the issue, shown or not.
    assert sum(int(c) for c in tree.xpath("//h2/span/text()")) == 195
    assert tree.xpath("//style") == []
    assert "style" in tree.xpath("//h1")[0].attrib


def _assert_lands(site: Site, href: str) -> None:
    parts_ = urlsplit(href)
    relative = parts_.path.removeprefix(urlsplit(SITE_URL).path)
    target = site.site / relative
    if not Path(relative).suffix:
        target = target / "index.html"
    assert target.is_file(), href
    if parts_.fragment:
        assert f'id="{parts_.fragment}"' in target.read_text(encoding="utf-8"), href


def test_the_email_agrees_with_the_site(seed_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Gathering again from the state gives the digest the build published."""
    from conftest import project_config

    from digest.build import current_digest

    monkeypatch.chdir(seed_site.root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    again = current_digest(project_config(seed_site.root))
    built = seed_site.result.digest
    assert again.themes == built.themes and again.entries == built.entries
    assert again.issues == built.issues


def test_a_day_without_new_papers_sends_nothing(
    seed_site: Site,
    smtp: tuple[Inbox, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, port = smtp
    config = write_config(tmp_path, seed_site, port)
    assert run_email(config, "--date", "2023-11-20", monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == "No new papers on 2023-11-20: no email sent.\n"
    assert inbox.envelopes == []


def test_dry_run_writes_the_eml_and_sends_nothing(
    seed_site: Site,
    smtp: tuple[Inbox, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, port = smtp
    config = write_config(tmp_path, seed_site, port)
    eml = tmp_path / "out" / "issue.eml"
    assert (
        run_email(config, "--dry-run", "--latest", "--eml", str(eml), monkeypatch=monkeypatch) == 0
    )
    assert capsys.readouterr().out == (
        f"Wrote the issue of 2023-11-14 (195 papers) to {eml}; nothing was sent.\n"
    )
    assert inbox.envelopes == []
    message = email.message_from_bytes(eml.read_bytes(), policy=default)
    text, page = parts(message)  # type: ignore[arg-type]
    assert "Research digest: 2023-11-14" in text
    # The same input and SOURCE_DATE_EPOCH write the same bytes.
    again = tmp_path / "again.eml"
    assert run_email(config, "--dry-run", "--eml", str(again), monkeypatch=monkeypatch) == 0
    assert again.read_bytes() == eml.read_bytes()
    # Gmail clips messages past about 100 kB: five papers per theme keep it well under.
    assert len(page.encode()) < 90_000


def test_missing_settings_are_named_before_anything_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "digest.toml"
    config.write_text('[email]\nsmtp_host = "mail.example.org"\n', encoding="utf-8")
    assert run_email(config, monkeypatch=monkeypatch) == 1
    assert capsys.readouterr().err == (
        "Error: Cannot send the email: set email.sender, email.to in the [email] section of "
        "digest.toml (or use --dry-run to write the message to a file)\n"
    )


def test_email_options_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(
        '[email]\nto = ["nobody"]\nsmtp_security = "tls"\nsmtp_port = 0\n'
        'smtp_user_env = "MY-USER"\nsubject = "{title} {nope}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (
        f"Invalid configuration in '{path}':\n"
        "  Config value 'email.to': 'nobody' is not an email address\n"
        "  Config value 'email.smtp_security': expected starttls, ssl or none, got 'tls'\n"
        "  Config value 'email.smtp_port': expected 1 to 65535, got 0\n"
        "  Config value 'email.smtp_user_env': expected an environment variable name, "
        "got 'MY-USER'\n"
        "  Config value 'email.subject': only {title}, {date} and {count} may be filled in "
        "(KeyError('nope'))"
    )


# -- hostile input ------------------------------------------------------------------------------
HOSTILE = [
    (
        "<script>alert('title')</script> Attention is all you need",
        "We study <img src=x onerror=alert(1)> attention in transformer models for language.",
    ),
    (
        '</title><script>alert(2)</script> [click](javascript:alert(3)) { onclick="x" }',
        'A javascript:alert(4) link and <a href="javascript:alert(5)">here</a> in an abstract.',
    ),
    (
        "Robust <b onmouseover=alert(6)>graph</b> learning",
        "Graph neural networks {{ 7*7 }} learn representations of nodes and their neighbours.",
    ),
    (
        "Sparse attention for long documents",
        "Long documents need sparse attention: we propose a linear-time attention mechanism.",
    ),
]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("hostile")
    return build_site(root, [write_listing(root / "hostile.txt", HOSTILE)])


def test_hostile_titles_stay_text(
    hostile_site: Site,
    smtp: tuple[Inbox, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, port = smtp
    config = write_config(tmp_path, hostile_site, port, "abstract_chars = 1000\n")
    assert run_email(config, monkeypatch=monkeypatch) == 0
    (message,) = inbox.messages()
    text, page = parts(message)
    assert_inert(page)
    shown = lxml.html.fromstring(page).text_content()
    assert "<script>alert('title')</script> Attention is all you need" in shown
    assert "<img src=x onerror=alert(1)>" in shown
    assert "{{ 7*7 }}" in shown and "{{ 7*7 }}" in text
    assert "<script>alert('title')</script>" in text  # plain text is shown as it is
    assert all(urlsplit(h).scheme == "https" for h in hrefs(page))


def test_hostile_email_runs_nothing_in_chromium(
    hostile_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Open the HTML part in headless Chromium: no dialog, no script, no handler fires."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        pytest.skip("Chromium is not installed")
    config = write_config(tmp_path, hostile_site, extra="abstract_chars = 1000\n")
    eml = tmp_path / "hostile.eml"
    assert run_email(config, "--dry-run", "--eml", str(eml), monkeypatch=monkeypatch) == 0
    message = email.message_from_bytes(eml.read_bytes(), policy=default)
    _, page = parts(message)  # type: ignore[arg-type]
    html_file = tmp_path / "email.html"
    html_file.write_text(page, encoding="utf-8")
    dialogs: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            view = browser.new_page()
            view.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            view.goto(html_file.as_uri())
            for element in view.query_selector_all("b, p, a, h2"):
                element.hover()
            assert view.evaluate("document.scripts.length") == 0
            assert "<script>" in view.inner_text("body")
        finally:
            browser.close()
    assert dialogs == []


# -- SMTP security and login ------------------------------------------------------------------
def _message() -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "test"
    message["From"] = SENDER
    message["To"] = ", ".join(TO)
    message.set_content("hello")
    return message


LOGIN = {"SMTP_USER": "me", "SMTP_PASSWORD": "secret"}


def test_starttls_with_login(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_context, client_context = tls
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=_free_port(),
        tls_context=server_context,
        require_starttls=True,
        authenticator=inbox.authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        send(_message(), settings(controller.port, "starttls"), LOGIN, client_context)
        with pytest.raises(MailError, match="refused the login of 'me'"):
            wrong = {**LOGIN, "SMTP_PASSWORD": "wrong"}
            send(_message(), settings(controller.port, "starttls"), wrong, client_context)
        # A certificate the client does not trust: refused, never sent in clear.
        with pytest.raises(MailError, match="CERTIFICATE_VERIFY_FAILED"):
            send(_message(), settings(controller.port, "starttls"), LOGIN)
    finally:
        controller.stop()
    assert inbox.logins == ["me"] and len(inbox.envelopes) == 1


# aiosmtpd warns about auth_require_tls=False, not knowing the connection is TLS from the start.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_context, client_context = tls
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=_free_port(),
        ssl_context=server_context,
        authenticator=inbox.authenticate,
        auth_required=True,
        # aiosmtpd counts only STARTTLS as TLS; this whole connection is TLS.
        auth_require_tls=False,
    )
    controller.start()
    try:
        send(_message(), settings(controller.port, "ssl"), LOGIN, client_context)
    finally:
        controller.stop()
    assert inbox.logins == ["me"] and len(inbox.envelopes) == 1


def test_a_password_never_crosses_in_clear(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    with pytest.raises(ConfigError) as error:
        send(_message(), settings(port, "none"), LOGIN)
    assert str(error.value) == (
        "email.smtp_security is 'none' but an SMTP login is set: the password would cross the "
        "network in clear. Use starttls or ssl"
    )
    with pytest.raises(ConfigError, match=r"^SMTP_USER is set but SMTP_PASSWORD is not"):
        send(_message(), settings(port, "starttls"), {"SMTP_USER": "me"})
    assert inbox.envelopes == []


def test_an_unreachable_server_is_an_error() -> None:
    port = _free_port()  # nothing listens there
    with pytest.raises(MailError, match=rf"^Sending the email through 127.0.0.1:{port} failed: "):
        send(_message(), settings(port, "none"), {})
