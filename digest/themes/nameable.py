"""Which candidate phrases can name a theme: whole noun phrases about something.

:mod:`digest.themes.phrases` finds word runs that neither start nor end in a stop word; not all of
them are names. A name is a whole noun phrase: never cut from a longer phrase ("chain Monte
Carlo" of "Markov chain Monte Carlo", "short-term" of "short-term memory"), never starting with
a verb ("prove", "propose") or a judgement ("novel", "efficient"), never ending in a modifier
("convolutional", "proposed"). And it names a topic: not only generic words ("wide range",
"experimental results"), and a lone word only when papers put it in their titles ("logic",
"codes"), since a word papers use but never title ("loss", "error") is not what they are about.
Each test is a property of the corpus's own text, measured by
:class:`~digest.themes.phrases.PhraseTable`.
"""

from __future__ import annotations

import re

from digest.text.words import GENERIC_WORDS, singular
from digest.themes.phrases import PhraseTable

#: A phrase with one same word before (or after) it in this share of its uses is cut from a
#: longer phrase ("chain Monte Carlo" of "Markov chain Monte Carlo").
CUT_SHARE = 0.7
#: ... and a lone word sooner: "laws" of "scaling laws".
CUT_SHARE_ALONE = 0.5
#: Largest share of a phrase's uses followed by another content word: above it the phrase
#: starts longer names ("convolutional" 0.98), it is not one; a lone word sooner ("cloud" 0.73).
MAX_FOLLOWED = 0.75
MAX_FOLLOWED_ALONE = 0.6
#: A lone word mostly seen after another content word ends longer names ("flows").
MAX_PRECEDED_ALONE = 0.85
#: Largest share of a first word's uses right after "we", "to", "can"...: above it, a verb.
MAX_VERB = 0.2
#: ... and of a last word: "occur" 0.37, "estimate" 0.36; "design" 0.15, "control" 0.05.
MAX_VERB_LAST = 0.3
#: A lone word names a group only if this share of the papers using it have it in their title
#: (smoothed towards 0.15 by 4 papers): "logic" 0.34, "codes" 0.48; "loss" 0.08.
MIN_TITLE_SHARE_ALONE = 0.2
#: Longest phrase, in characters.
MAX_PHRASE = 50
# Names become page titles and URL slugs: nothing that could form markup.
NAME_UNSAFE = re.compile(r"[^\w \-+#.,/'()]")

# Words that start verb phrases or judge rather than name ("proposed scheme", "novel method").
_NOT_FIRST = frozenset(
    """
    propose proposed present presented show shown demonstrate introduce introduced develop
    developed obtain obtained achieve achieved provide study studied consider considered
    compare compared evaluate evaluated investigate investigated describe discuss analyze
    analyse analyzed analysed improve improved solve solved apply applied address addressed
    existing novel new recent previous different various several many main simple efficient
    effective significant important key good better best promising powerful popular rigorous
    additional further possible necessary sufficient appropriate suitable interesting
    standard typical general generic specific particular certain related relevant
    paper work result experiment experimental numerical extensive empirical theoretical
    """.split()
)
# Endings of words that modify rather than name: a phrase ending in one is cut short.
_MODIFIER_ENDINGS = ("ive", "ous", "ed", "ly", "able", "ible", "ful")
# Words that name no topic of their own ("wide range", "final state"): a phrase of these and
# GENERIC_WORDS only is no name.
_VAGUE = frozenset(
    """
    range wide final positive negative integer sum total amount degree level order terms
    value rate size cost step part side point area field factor measure term quality class
    mean kind group element unit line scale stage phase role aspect way behavior behaviour
    building block question issue idea notion concept feature characteristic condition case
    example fact change effect impact choice many much several multiple single double various
    other given broad full whole open initial past future present current simple complex real
    practical minimal maximal minimum maximum limit lower upper origin formation development
    support solution number amount developments space object product essential viewpoint
    """.split()
)


# Articles and prepositions of other languages, as written (lower case, a word of their own):
# a phrase opening with one before a common word is a title in another language ("de
# données"), not a topic ("de Sitter space" keeps its name; "de novo" goes too).
_FOREIGN_FIRST = frozenset("de des du la le les el los las del della di der das und et".split())


class Nameable:
    """Decide, once per phrase, whether it can be (part of) a name; remember its surface form."""

    def __init__(self, table: PhraseTable) -> None:
        self.table = table
        self._known: dict[int, bool] = {}
        self._shown: dict[int, str] = {}

    def __call__(self, phrase: int) -> bool:
        found = self._known.get(phrase)
        if found is None:
            found = self._known[phrase] = self._check(phrase)
        return found

    def surface(self, phrase: int) -> str:
        """The phrase as the corpus writes it, with nothing that could form markup."""
        found = self._shown.get(phrase)
        if found is None:
            text = NAME_UNSAFE.sub(" ", self.table.surface(phrase))
            found = self._shown[phrase] = " ".join(text.split())
        return found

    def _check(self, phrase: int) -> bool:
        table = self.table
        words = table.key(phrase).split()
        alone = len(words) == 1
        cut = CUT_SHARE_ALONE if alone else CUT_SHARE
        if table.extended[phrase] >= cut:
            return False
        if table.followed[phrase] > (MAX_FOLLOWED_ALONE if alone else MAX_FOLLOWED):
            return False
        vague = GENERIC_WORDS | _VAGUE
        # "of" is the one stop word inside a phrase: "number of times" is vague all the same.
        if all(w == "of" or w in vague or singular(w) in vague for w in words):
            return False
        first, last = words[0], words[-1]
        if first in _NOT_FIRST or first.endswith("ly") or last in _NOT_FIRST:
            return False
        head, _, rest = self.surface(phrase).partition(" ")
        if head in _FOREIGN_FIRST and rest[:1].islower():
            return False  # "de données"; never "de-identification", "LES models"
        if last.endswith(_MODIFIER_ENDINGS):
            return False
        verb = table.words.verb
        if verb[table.words.word_id[first]] > MAX_VERB:
            return False
        if verb[table.words.word_id[last]] > MAX_VERB_LAST:
            return False  # "patterns occur"
        if alone:
            share = (table.title_df[phrase] + 0.6) / (table.df[phrase] + 4)
            if share < MIN_TITLE_SHARE_ALONE or table.preceded[phrase] > MAX_PRECEDED_ALONE:
                return False
        return 0 < len(self.surface(phrase)) <= MAX_PHRASE
