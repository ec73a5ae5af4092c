"""Action category (1–5) by the leading verb, following UPR Info's methodology.

``Database_Action_Category.pdf`` (UPR Info, October 2014) ranks a recommendation by its first verb:
1 minimal (call on, seek, share), 2 continuing (continue, maintain, ...), 3 considering (consider,
study, ...), 4 general (ensure, strengthen, ...), 5 specific (adopt, ratify, ...), with three principles:

- two leading verbs ("Continue and strengthen ...") → the second verb decides (here 4);
- a general action with a specific example ("Improve women's rights by amending the family code") → 5;
- an even rationale between two actions → the first action.

``rule_action`` applies those rules. Verbs like "adopt" or "implement" are coded 4 or 5 depending on
their object ("adopt measures" / "adopt a law"), so the model (``uprwatch.classify.classifier``) measures on
its training data how reliable the rule is for each opening verb phrase, trusts it where it is, and
decides itself elsewhere.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# The methodology's example verbs, plus their obvious inflections and multi-word forms.
CATEGORY_VERBS: dict[int, tuple[str, ...]] = {
    1: ("call on", "call upon", "seek", "share", "request"),
    2: ("continue", "maintain", "persevere", "persist", "pursue", "keep", "carry on"),
    3: (
        "analyse", "analyze", "consider", "envisage", "envision", "examine", "explore", "reflect upon",
        "reflect on", "revise", "review", "study", "assess", "evaluate", "look into",
    ),
    4: (
        "accelerate", "address", "encourage", "engage with", "engage", "ensure", "guarantee", "intensify",
        "promote", "speed up", "strengthen", "take action", "take measures", "take steps", "take all",
        "take further", "take necessary", "take the necessary", "take effective", "take appropriate",
        "take concrete", "improve", "enhance", "increase", "protect", "respect", "make efforts", "step up",
        "redouble", "combat", "fight", "work", "foster", "raise awareness", "uphold",
    ),
    5: (
        "conduct", "develop", "eliminate", "establish", "investigate", "undertake", "abolish", "accede",
        "adopt", "amend", "implement", "enforce", "ratify", "enact", "repeal", "criminalize", "criminalise",
        "prohibit", "release", "sign", "submit", "issue", "extend", "withdraw", "set up", "create",
        "introduce", "incorporate", "become party", "become a party", "lift", "decriminalize",
        "decriminalise", "finalize", "finalise", "bring", "prosecute", "allow", "provide", "end", "put an end",
        "invite", "accept", "align", "harmonize", "harmonise", "pass", "remove", "recognize", "recognise",
    ),
}
# Verbs the PDF names itself (the first-verb baseline uses only these).
METHODOLOGY_VERBS: dict[int, tuple[str, ...]] = {
    1: ("call on", "call upon", "seek", "share"),
    2: ("continue", "maintain", "persevere", "persist", "pursue"),
    3: ("analyse", "consider", "envisage", "envision", "examine", "explore", "reflect upon", "revise", "review",
        "study"),
    4: ("accelerate", "address", "encourage", "engage with", "ensure", "guarantee", "intensify", "promote",
        "speed up", "strengthen", "take action", "take measures", "take steps"),
    5: ("conduct", "develop", "eliminate", "establish", "investigate", "undertake", "abolish", "accede", "adopt",
        "amend", "implement", "enforce", "ratify"),
}
SPECIFIC_EXAMPLE = re.compile(
    r"\b(?:by|through)\s+(?:inter alia\s+)?(?:adopting|amending|ratifying|enacting|establishing|abolishing|"
    r"repealing|acceding|creating|setting up|implementing|criminali[sz]ing|passing|introducing|revising|"
    r"bringing|investigating|adopting)\b",
    re.IGNORECASE,
)
# Words that may precede the verb without being the action ("That Chad ratify", "Further strengthen").
_LEAD_NOISE = {
    "to", "that", "the", "government", "state", "should", "also", "further", "effectively", "fully", "urgently",
    "immediately", "promptly", "duly", "seriously", "swiftly", "actively", "vigorously", "expeditiously",
    "please", "we", "recommend", "recommends", "recommended", "it", "its", "authorities", "and", "without",
    "delay", "as", "a", "matter", "of", "priority", "in", "accordance", "with", "thoroughly",
    "systematically", "progressively", "gradually", "consistently", "strongly", "continuously", "resolutely",
}


def _index(verbs: dict[int, tuple[str, ...]]) -> dict[str, list[tuple[tuple[str, ...], int, str]]]:
    """First word → ``[(phrase words, category, phrase), ...]``, longest phrase first."""
    index: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
    for cat, phrases in verbs.items():
        for phrase in phrases:
            words = tuple(phrase.split())
            index.setdefault(words[0], []).append((words, cat, phrase))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


_ALL = _index(CATEGORY_VERBS)
_METHODOLOGY = _index(METHODOLOGY_VERBS)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# Between two joined leading verbs ("Continue and further strengthen"); "continue to strengthen" is
# not two actions (UPR Info codes it as continuing), so "to" does not join.
_JOINERS = {"and", "further", "also", "fully", "effectively"}


@dataclass(frozen=True)
class ActionGuess:
    category: int | None
    evidence: str  # the verb span that decided it, as written in the text
    sure: bool  # a listed verb opens the text
    key: str = ""  # the verb phrase the rule used ("continue and strengthen"), for learned reliability


# The rules read only the opening (at most ~15 words): tokenising whole texts doubled labelling time.
_OPENING_CHARS = 400


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text[:_OPENING_CHARS].lower())]


def _stem(word: str) -> str:
    # Third person ("That X ratifies", "X continues") is common in older reports: fold it.
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _match_at(words: list[tuple[str, int, int]], i: int, index) -> tuple[int, str, int] | None:
    first = words[i][0]
    for key in (first, _stem(first)):
        for phrase, cat, name in index.get(key, ()):
            n = len(phrase)
            window = [w for w, _, _ in words[i : i + n]]
            if len(window) == n and (window[1:] == list(phrase[1:])):
                return cat, name, n
    return None


def leading_verbs(text: str, index=None, limit: int = 8) -> list[tuple[int, str, int, int]]:
    """The listed verbs opening the text: ``[(category, verb, start, end), ...]`` (at most two).

    Skips words that may open a recommendation without being the action ("That the Government
    should ..."), and records a second verb only when joined to the first by "and".
    """
    index = index or _ALL
    words = _words(text)
    # "That Chad ratify ..." (older reports): the state's name may stand between "that" and the verb.
    lenient = bool(words) and words[0][0] == "that"
    for i in range(min(len(words), limit)):
        match = _match_at(words, i, index)
        if match is None:
            if words[i][0] in _LEAD_NOISE or lenient:
                continue
            return []
        cat, name, n = match
        found = [(cat, name, words[i][1], words[i + n - 1][2])]
        j = i + n
        if j < len(words) and words[j][0] == "and":
            while j < len(words) and words[j][0] in _JOINERS:
                j += 1
            second = _match_at(words, j, index) if j < len(words) else None
            if second:
                found.append((second[0], second[1], words[j][1], words[j + second[2] - 1][2]))
        return found
    return []


# An example of how to act, introduced by "by", "through", "including" ... and a gerund ("Continue its efforts
# ..., including by ratifying the Convention"): principle 3 reads the example's verb.
_EXAMPLE_GERUND = re.compile(
    r"\b(?:by|through|including|via|notably|particularly|especially|in particular)\s+"
    r"(?:through\s+|by\s+|means of\s+)?(?:inter alia\s+|further\s+|also\s+)?([a-z]+ing)\b"
)
_SINGLE_VERBS = {p: c for c, phrases in CATEGORY_VERBS.items() for p in phrases if " " not in p}


def _gerund_base(gerund: str, lexicon: dict[str, int]) -> str | None:
    """"ratifying" → "ratify", "taking" → "take", "putting" → "put" (whichever the lexicon lists)."""
    stem = gerund[:-3]
    candidates = [stem, stem + "e"]
    if len(stem) > 2 and stem[-1] == stem[-2]:
        candidates.append(stem[:-1])
    if stem.endswith("i"):
        candidates.append(stem[:-1] + "y")
    return next((c for c in candidates if c in lexicon), None)


# The same example named by a noun ("including through the ratification of the ICRMW").
_NOUN_VERBS = {
    "ratification": "ratify", "adoption": "adopt", "establishment": "establish", "implementation": "implement",
    "creation": "create", "amendment": "amend", "amendments": "amend", "abolition": "abolish",
    "revision": "revise", "consideration": "consider", "introduction": "introduce", "enactment": "enact",
    "promotion": "promote", "provision": "provide", "elimination": "eliminate", "development": "develop",
    "improvement": "improve", "allocation": "allocate", "accession": "accede", "signature": "sign",
    "withdrawal": "withdraw", "repeal": "repeal", "enforcement": "enforce",
    "strengthening": "strengthen", "review": "review", "reform": "reform", "investigation": "investigate",
    "prosecution": "prosecute", "criminalization": "criminalize", "criminalisation": "criminalise",
    "harmonization": "harmonize", "harmonisation": "harmonise", "incorporation": "incorporate",
    "extension": "extend", "expansion": "expand", "launch": "launch", "elaboration": "elaborate",
}
_EXAMPLE_NOUN = re.compile(
    r"\b(?:by|through|including|via|notably|particularly|especially|in particular)\s+"
    r"(?:through\s+|by\s+|means of\s+)?(?:inter alia\s+)?(?:the\s+|an?\s+)?"
    r"(?:full\s+|effective\s+|prompt\s+|swift\s+|early\s+|further\s+)?(" + "|".join(_NOUN_VERBS) + r")\b"
)


def example_action(text: str, lexicon: dict[str, int] | None = None) -> tuple[int, str] | None:
    """The category of the first example action in the text and its span: ``(5, "by ratifying")``.

    Examples are gerunds ("by ratifying") or the nouns naming the same actions ("through the ratification").

    ``lexicon`` maps a verb to its category; the model passes the one it learned from its training data
    (every opening verb with a clear majority), since the methodology's lists miss most example verbs
    ("allocating", "reducing", "taking"). Without it the listed verbs are used.
    """
    lexicon = _SINGLE_VERBS if lexicon is None else lexicon
    lowered = text.lower()
    matches = [(m, _gerund_base(m.group(1), lexicon)) for m in _EXAMPLE_GERUND.finditer(lowered)]
    matches += [(m, _NOUN_VERBS[m.group(1)]) for m in _EXAMPLE_NOUN.finditer(lowered)]
    for match, verb in sorted(matches, key=lambda mv: mv[0].start()):
        if verb is not None and verb in lexicon:
            source = text if len(text) == len(lowered) else lowered  # lower() may change lengths (rare)
            return lexicon[verb], source[match.start() : match.end()]
    return None


# Words opening a clause that comes before the action ("While commending the Government ..., continue ...",
# "With the support of the international community, continue ..."): the action follows a comma.
_INTRO_WORDS = frozenset({
    "in", "with", "as", "while", "whilst", "taking", "given", "bearing", "following", "consistent", "pursuant",
    "according", "on", "within", "for", "building", "recalling", "noting", "considering", "through", "by",
    "commending", "welcoming", "recognizing", "recognising", "acknowledging", "having", "based", "mindful",
    "after", "when", "where", "if", "since", "beyond", "at", "regarding", "concerning", "despite", "although",
    "enquiring",
})
# Words standing before the action without being part of it ("That ...", "To continue", "Further pursue",
# "It was recommended that ..."). Case-sensitive where a capital tells the opening apart.
_PREAMBLE = re.compile(r"^(?:(?:[Tt]hat|[Tt]o|[Ff]urther|[Aa]lso|should|it was recommended that|"
                       r"[Rr]ecommends?(?: that)?|[Rr]ecommended(?: that)?)\s+)+")


# Cached: the lead features, the evidence and the opening vector each ask for it, text by text.
@functools.lru_cache(maxsize=8192)
def main_clause(text: str) -> str:
    """The text from the recommended action on (the text itself when it opens with the action).

    "While commending the Government ..., to continue its efforts" → "continue its efforts";
    "Further pursue efforts to ..." → "pursue efforts to ...". Older reports often open this way, and the
    opening words are what the coder reads.
    """
    stripped = text.strip()
    first = _WORD.match(stripped[:40].lower())
    if first and first.group() in _INTRO_WORDS:
        for comma in re.finditer(r",\s*", stripped[:_OPENING_CHARS]):
            rest = stripped[comma.end():]
            action = _PREAMBLE.sub("", rest)
            if action != rest or leading_verbs(action) or re.match(r"recommend", rest, re.IGNORECASE):
                return action
        return text
    action = _PREAMBLE.sub("", stripped)
    return action if action and action != stripped else text


def rule_action(text: str, methodology_only: bool = False) -> ActionGuess:
    """The category the methodology's rules give, with the verb span and whether the rules are sure."""
    verbs = leading_verbs(text, _METHODOLOGY if methodology_only else _ALL)
    if not verbs:
        return ActionGuess(None, "", False)
    # Principle 2: with two leading verbs the second one is privileged.
    cat, _name, start, end = verbs[-1]
    span_start = verbs[0][2]
    evidence = text[span_start:end]
    if cat == 4 and (match := SPECIFIC_EXAMPLE.search(text)):
        # Principle 3: a general action made concrete by a specific example is specific action.
        return ActionGuess(5, f"{evidence} … {match.group()}", True, "general+example")
    key = " and ".join(v[1] for v in verbs)
    return ActionGuess(cat, evidence, True, key)
