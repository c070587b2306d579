"""Turn an abstract into plain prose for keyword extraction.

Abstracts carry LaTeX (``$x$``, ``{\\em x}``, ``F_{1}``, and commands whose backslash was lost in
scraping, like ``mathcal{O}``), HTML and URLs. None of that is a topic: it is removed here so that
``alpha``, ``textbf``, ``mathcal`` or ``script`` never become keywords or theme names.
"""

from __future__ import annotations

import html
import re

# Names of LaTeX commands that show up as words once a scraper drops the backslash.
TEX_WORDS = frozenset(
    """
    mathcal mathbb mathbf mathrm mathsf mathit mathfrak mathscr boldsymbol operatorname
    textbf textit textrm texttt textsc emph em it bf rm tt sc cite citep citet ref eqref
    label url href frac dfrac tfrac sqrt sum prod int oint lim limsup liminf sup inf max min
    argmax argmin log exp sin cos tan ln det tr circ cdot cdots ldots dots times otimes
    oplus wedge vee cap cup setminus subset subseteq supset in notin forall exists nabla
    partial infty propto sim simeq approx equiv neq leq geq le ge ll gg mid vert lvert rvert
    left right big bigl bigr langle rangle lceil rceil lfloor rfloor hat tilde bar vec dot
    ddot overline underline widehat widetilde alpha beta gamma delta epsilon varepsilon zeta
    eta theta vartheta iota kappa lambda mu nu xi omicron pi varpi rho varrho sigma varsigma
    tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi
    Psi Omega poly polylog mathop displaystyle textstyle scriptstyle nolimits limits quad
    qquad star ast top perp
    """.split()
)
#: A "word" longer than this is a hash, a base64 blob or glued text, never a keyword.
MAX_TOKEN_CHARS = 40

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]{0,300}\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)
_ACCENT = re.compile(r"""\\['"`^~=.]\{?([A-Za-z])\}?""")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?|\\.")
_MATHY_TOKEN = re.compile(r"\S*[_^=|<>]\S*|\S*[{}]\S*[{}]\S*")
_BRACES = re.compile(r"[{}]")
_SPACES = re.compile(r"\s+")


def clean_for_keywords(text: str) -> str:
    """Return ``text`` without URLs, markup and mathematics, as plain words and punctuation."""
    text = html.unescape(_TAG.sub(" ", text))
    text = _URL.sub(" ", text)
    text = _MATH.sub(" ", text)
    text = _ACCENT.sub(r"\1", text)
    text = _COMMAND.sub(" ", text)
    # Sub- and superscripts, equations and braced arguments left once commands are gone.
    text = _MATHY_TOKEN.sub(" ", text)
    text = _BRACES.sub(" ", text)
    words = []
    for word in text.split():
        bare = word.strip(".,;:!?()[]'\"")
        if bare in TEX_WORDS or len(bare) > MAX_TOKEN_CHARS:
            # Keep sentence boundaries, which YAKE uses, when dropping a word.
            words.append("." if word.endswith((".", ";", ":")) else "")
            continue
        words.append(word)
    return _SPACES.sub(" ", " ".join(w for w in words if w)).strip()
