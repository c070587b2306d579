"""Hardened XML for the arXiv readers: no DOCTYPE, no entities, no half documents.

Responses come from the network; a DOCTYPE can expand entities without bound ("billion laughs")
or reach for external files, and arXiv never sends one, so any DOCTYPE is refused outright
(``defusedxml`` with ``forbid_dtd``). A truncated response fails to parse and is rejected whole:
half a page of papers must never pass for the full answer.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeTree

from digest.errors import SourceError

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
DUBLIN_CORE = "{http://purl.org/dc/elements/1.1/}"

# The first start tag: a letter right after "<" skips "<?xml ...?>", comments and "<!DOCTYPE".
_START_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def parse_xml(data: bytes, origin: str) -> Element:
    """Parse a whole XML document, refusing DTDs and entities and rejecting truncation."""
    try:
        root: Element = SafeTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise SourceError(
            f"Error reading '{origin}': XML with a DOCTYPE or entity declarations is refused "
            f"({type(exc).__name__})"
        ) from None
    except ParseError as exc:
        raise SourceError(
            f"Error reading '{origin}': not well-formed XML ({exc}); the whole response is rejected"
        ) from None
    except (LookupError, ValueError) as exc:
        # expat raises these, not ParseError, for an encoding declaration it cannot use
        # (``encoding="utf-16x"``: unknown; ``encoding="shift_jis"``: multi-byte).
        raise SourceError(
            f"Error reading '{origin}': unsupported XML encoding ({exc}); the whole response "
            "is rejected"
        ) from None
    return root


def root_name(head: bytes) -> str | None:
    """Return the local name of the first element in ``head``, or None if there is none."""
    match = _START_TAG.search(head)
    return match.group(1).decode("ascii", "replace") if match else None
