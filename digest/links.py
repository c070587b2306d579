"""Links derived from a paper: arXiv pages, title searches and code repositories."""

from __future__ import annotations

import re
from urllib.parse import quote_plus, urlsplit

# Hosts whose URLs in an abstract point at the paper's code.
CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")
_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^]+", re.IGNORECASE)
# Sentence punctuation that abstracts glue onto the end of a URL.
_TRAILING = ".,;:!?)]}'\""


def find_urls(text: str) -> list[str]:
    """Return the http(s) URLs in ``text`` without trailing sentence punctuation."""
    found = []
    for match in _URL.finditer(text):
        url = match.group(0)
        while url and url[-1] in _TRAILING:
            # Keep a closing parenthesis that closes one opened inside the URL.
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if safe_url(url):
            found.append(url)
    return found


def code_urls(text: str) -> tuple[str, ...]:
    """Return URLs of code hosts found in an abstract, in order, without duplicates."""
    urls = (u for u in find_urls(text) if _host(u) in CODE_HOSTS)
    return tuple(dict.fromkeys(urls))


def safe_url(url: str) -> bool:
    """Accept only absolute http(s) URLs with a host: never ``javascript:`` or ``data:``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def arxiv_abs(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def arxiv_pdf(arxiv_id: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}"


def arxiv_title_search(title: str) -> str:
    """Return an arXiv search for the exact title: the best link for a paper with no id."""
    return f"https://arxiv.org/search/?query={quote_plus(title)}&searchtype=title"


def hf_paper(arxiv_id: str) -> str:
    """Return the Hugging Face page of a paper, which HF keys by its arXiv id."""
    return f"https://huggingface.co/papers/{arxiv_id}"
