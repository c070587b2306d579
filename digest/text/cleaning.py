"""Turn an abstract into plain prose for keyword extraction.

Abstracts carry LaTeX (``$x$``, ``{\\em x}``, ``F_{1}``, and commands whose backslash was lost in
scraping, like ``mathcal{O}``), HTML and URLs. None of that is a topic: it is removed here so that
``alpha``, ``textbf``, ``mathcal`` or ``script`` never become keywords or theme names.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

# Names of LaTeX commands that show up as words once a scraper drops the backslash. Only names
# that are not also English words: "in", "sum", "left" or "top" are prose far more often.
TEX_WORDS = frozenset(
    """
    mathcal mathbb mathbf mathrm mathsf mathit mathfrak mathscr boldsymbol operatorname
    textbf textit textrm texttt textsc emph cite citep citet eqref href frac dfrac tfrac sqrt
    oint limsup liminf argmax argmin cdot cdots ldots otimes oplus setminus subseteq supseteq
    notin forall nabla infty propto simeq equiv neq leq geq lvert rvert bigl bigr langle
    rangle lceil rceil lfloor rfloor ddot overline widehat widetilde alpha beta gamma delta
    epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi omicron pi varpi
    rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda
    Xi Pi Sigma Upsilon Phi Psi Omega polylog mathop displaystyle textstyle scriptstyle
    nolimits qquad varnothing emptyset mapsto rightarrow leftarrow Rightarrow
    """.split()
)
#: A "word" longer than this is a hash, a base64 blob or glued text, never a keyword.
MAX_TOKEN_CHARS = 40

# A URL without the sentence punctuation glued to its end, which stays as a boundary.
_URL = re.compile(r"(?:https?://|www\.)\S+?(?=[.,;:!?)\]]*(?:\s|$))", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]{0,300}\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)
# Formatting commands keep their argument: \\textbf{robust} is the word "robust".
_FORMATTING = re.compile(
    r"\\?(?:textbf|textit|textrm|textsf|texttt|textsc|emph|text|mbox|underline)\{([^{}]*)\}"
)
_ACCENT = re.compile(r"""\\['"`^~=.]\{?([A-Za-z])\}?""")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?|\\.")
_TOKEN = re.compile(r"\S+")
_MATH_CHARS = frozenset("_^=|<>")
_BRACES = re.compile(r"[{}]")
_SPACES = re.compile(r"\s+")
_BREAKS = re.compile(r"(?:\s*[,.](?=\s|$)){2,}|(?<=\s),(?=\s)")


def _drop_mathy(match: re.Match[str]) -> str:
    """Replace a token that is mathematics (sub/superscripts, relations, braced arguments).

    One linear pass per token: a regular expression with ``\\S*`` on both sides of a class
    backtracks quadratically, and a 100,000-character token took minutes.
    """
    token = match.group(0)
    if _MATH_CHARS.intersection(token) or token.count("{") + token.count("}") >= 2:
        return " , "
    return token


@lru_cache(maxsize=65_536)
def clean_for_keywords(text: str) -> str:
    """Return ``text`` without URLs, markup and mathematics, as plain words and punctuation.

    Cached: the keyword stage and the theme vectors clean every title and abstract, and a
    build cleans each one twice more than it needs to without the cache (the cache holds about
    two texts per paper of a 30,000-paper store).
    """
    # What is removed becomes a phrase break (","), so YAKE never joins the words around it
    # into a phrase the paper does not contain.
    text = html.unescape(_TAG.sub(" , ", text))
    text = _URL.sub(" , ", text)
    text = _MATH.sub(" , ", text)
    text = _FORMATTING.sub(r"\1", text)
    text = _ACCENT.sub(r"\1", text)
    text = _COMMAND.sub(" ", text)
    # Sub- and superscripts, equations and braced arguments left once commands are gone.
    text = _TOKEN.sub(_drop_mathy, text)
    text = _BRACES.sub(" ", text)
    words = []
    for word in text.split():
        bare = word.strip(".,;:!?()[]'\"")
        if bare in TEX_WORDS or len(bare) > MAX_TOKEN_CHARS:
            # Keep sentence boundaries, which YAKE uses; otherwise leave a phrase break.
            words.append("." if word.endswith((".", ";", ":")) else ",")
            continue
        words.append(word)
    text = " ".join(words)
    # Fold the runs of breaks that removals leave ("a , , b" -> "a , b"; ", ." -> ".").
    text = _BREAKS.sub(lambda m: "." if "." in m.group(0) else ",", text)
    return _SPACES.sub(" ", text).strip(" ,")
