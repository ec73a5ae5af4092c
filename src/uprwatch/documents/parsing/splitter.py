"""The splitter: one paragraph's text into recommendations, each with the state(s) that made it.

Every form of the reports since 2008 (compound paragraphs, the 2013 slash form, verbs in a row, lists
of instruments) is documented beside the rule that reads it, with the report it comes from.
"""

from __future__ import annotations

import re

from uprwatch.documents.parsing.states import lookup_state, split_state_names, uninvert_state_names

_PAREN = re.compile(r"\(([^()]{2,300})\)")


def split_recommendations(text: str) -> list[tuple[str, list[str]]]:
    """Split one paragraph's text into (recommendation text, [ISO3...]) by its state parentheses.

    ``Ratify ICCPR (Albania); Ratify ICCPR and CPED (Chile);`` is two recommendations;
    ``Ratify the Convention (Algeria) (Cabo Verde)`` is one, made by two states. A compound paragraph
    (cycle 1 and 2013: ``Establish a commission (South Africa) in compliance with the Paris Principles
    (Portugal, Egypt), and finalize the bill (Egypt)``) is read per state: a piece that continues the
    sentence (lower-case start, not after a semicolon) belongs to the recommendation it extends, so
    Egypt's recommendation is the whole of its pieces and South Africa's is the first one.
    """
    text = uninvert_state_names(text)
    segments: list[tuple[str, list[str]]] = []
    start = 0
    run_start: int | None = None
    run_states: list[str] = []
    run_end = 0
    for match in _PAREN.finditer(text):
        codes = split_state_names(match.group(1))
        between = text[run_end:match.start()] if run_start is not None else ""
        if codes and run_start is not None and not between.strip(" \n/,;"):
            run_states.extend(codes)
            run_end = match.end()
            continue
        if run_start is not None:
            segments.append((text[start:run_start], run_states))
            start, run_start, run_states = run_end, None, []
        if codes:
            run_start, run_states, run_end = match.start(), list(codes), match.end()
    if run_start is not None:
        segments.append((text[start:run_start], run_states))
        start = run_end
    rest = text[start:].strip(" \n;.,/")
    if not segments and rest:
        segments.append((rest, []))
    elif rest and re.search(r"\)\s*/", text) and re.match(r"(?:the|an?)\s+[A-Z]|[A-Z]{2,}|an?\s+[a-z]", rest) and (
            _bare_verb(_piece(segments[-1][0])) or re.search(r"\b(?:to|of)$", _piece(segments[-1][0]))):
        # "Sign and ratify (Spain)/ become party to (Canada) the Optional Protocol to ICCPR;", "Consider
        # extending (Latvia)/Extend (France)/ extend and implement (Czech Republic) a standing invitation":
        # the object after the last alternative, with no state after it, is every alternative's object
        segments.append((rest, list(dict.fromkeys(code for _, codes in segments for code in codes))))
    chains = _chains(segments)
    # Alternatives of one recommendation with its object written once: the 2013 slash form, or
    # verbs in a row ("Sign (Portugal) ratify (France, Portugal) and accede to the Convention (Uruguay)").
    if re.search(r"\)\s*/", text) or (len(chains) > 1 and _bare_verb(_piece(chains[0][0][0]))):
        _complete_slash_verbs(chains)
    _complete_treaty_phrases(chains)
    lead = _list_lead(chains)
    cleaned = []
    for index, chain in enumerate(chains):
        if lead and index:
            raw, codes = chain[0]
            piece = _piece(raw)
            chain[0] = (f"{lead}: {piece[:1].lower() if piece[:2].istitle() else piece[:1]}{piece[1:]}", codes)
        for body, codes in _chain_recommendations(chain, slashed=bool(re.search(r"\)\s*/", text))):
            cleaned.extend((part, codes) for part in _separate_recommendations(body))
    parts = [part for text, codes in _join_bare_verbs(cleaned) for part in _distribute_alternatives(text, codes)]
    return _resolve_thereto(_instruments_alone(_resolve_do_so(parts)))


# An instrument named in full ("the Convention against Torture and Other Cruel, ... Punishment") or by its
# acronym ("CAT", "ICESCR"): from its first word to the end of the recommendation.
_INSTRUMENT = re.compile(r"\bthe\s+(?:International\s+)?(?:Convention|Covenant)\b.*$|\b(?:[A-Z]{3,}|[A-Z]{2,}-[A-Z]{2,})\s*$", re.S)


_NAMES_INSTRUMENT = re.compile(r"\b(?:Convention|Covenant|Statute)\b|\b[A-Z]{3,}\b|\b[A-Z]{2,}-[A-Z]{2,}\b")


def _resolve_thereto(parts: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """"Ensure the effective application of the Convention against Torture (Luxembourg), ratify the Optional
    Protocol thereto (Netherlands, Mexico)": a recommendation that says "thereto" without naming the
    instrument itself refers to the one the recommendation before it names, so the Netherlands'
    recommendation reads "Ratify the Optional Protocol to the Convention against Torture". "Ratify CRPD and
    the Optional Protocol thereto" names it and keeps its words."""
    out: list[tuple[str, list[str]]] = []
    for text, codes in parts:
        at = re.search(r"\s+thereto\b", text)
        # the words before "thereto" without the protocol it qualifies ("... and the Second Protocol")
        before = re.sub(r"\s+(?:the\s+)?(?:[\w-]+\s+){0,2}[Pp]rotocols?\s*$", "", text[: at.start()]) if at else ""
        if at and out and not _NAMES_INSTRUMENT.search(before) and (
                found := _INSTRUMENT.search(out[-1][0])):
            text = f"{text[: at.start()]} to {found.group(0).strip(' ,;.')}{text[at.end():]}"
        out.append((text, codes))
    return out


_TREATY_LEAD = re.compile(r"^.*?\b(?:ratify|ratifying|ratification\s+of|accede\s+to|acceding\s+to|accession\s+to|"
                          r"adhere\s+to|adhering\s+to|become\s+(?:a\s+)?party\s+to|becoming\s+(?:a\s+)?party\s+to)\s+", re.S)


def _instruments_alone(parts: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """"To consider the possibility of acceding to the other major human rights instruments, in particular
    CAT (Algeria); the International Convention for the Protection of All Persons from Enforced
    Disappearance (France); the Convention on the Rights of Persons with Disabilities (Argentina)": an
    instrument standing alone after a semicolon is the object of the treaty verb before it, so each
    state's recommendation is "Consider the possibility of acceding to <its instrument>"."""
    out: list[tuple[str, list[str]]] = []
    lead = None
    for text, codes in parts:
        if lead and re.match(r"The\s+(?:[A-Z]|optional\s+protocols?\b)", text) and not re.search(
                r"\b(?:be|is|are|was|were|should|shall|must|will|has|have)\b", text):
            text = f"{lead}{text[:1].lower()}{text[1:]}"
        elif found := _TREATY_LEAD.match(text):
            lead = found.group(0)
        out.append((text, codes))
    return out


def _resolve_do_so(parts: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """"To ratify OP-CAT (Mexico) and to do so as soon as possible (United Kingdom, Netherlands)": "do so"
    stands for the recommendation before it, which the later states made with their own qualifier."""
    out = []
    for text, codes in parts:
        if out and (match := re.match(r"(?:To\s+)?[Dd]o\s+so\b[\s,]*(.*)$", text, re.S)):
            previous = out[-1][0].rstrip(" .;,")
            text = f"{previous} {match.group(1)}".strip()
        out.append((text, codes))
    return out


# "prevent/prohibit", "torture / ill-treatment": one word against another, never "and/or", an acronym
# ("HIV/AIDS") or a number ("62/149").
_WORD_ALTERNATIVE = re.compile(r"\b([a-z][a-z-]+)\s?/\s?([a-z][a-z-]+)\b")


def _leading_alternatives(text: str, codes: list[str]) -> list[tuple[str, list[str]]]:
    """"Analyse the possibility of ratifying/consider ratifying/ratify ICCPR (Argentina, Brazil, Austria)":
    one verb phrase per state, in order, sharing the object."""
    if len(codes) >= 2 and (lead := _LEADING_ALTERNATIVES.match(text)) and lead.group(1).count("/") == len(codes) - 1 \
            and text.count("/") == len(codes) - 1:
        # "Analyse the possibility of ratifying/consider ratifying/ratify ICCPR (Argentina, Brazil, Austria)"
        alternatives = [alt.strip() for alt in lead.group(1).split("/")]
        if all(1 <= len(alt.split()) <= 6 for alt in alternatives):
            return [(f"{alt[:1].upper()}{alt[1:]} {lead.group(2)}", [code])
                    for alt, code in zip(alternatives, codes, strict=True)]
    return [(text, codes)]


# Verb phrases in a row at the start of a recommendation, the last one a single verb before the object.
_LEADING_ALTERNATIVES = re.compile(r"((?:[A-Za-z][a-z]*(?: [a-z]+){0,5} ?/ ?)+[a-z]+)\s+(.+)$", re.S)


def _distribute_alternatives(text: str, codes: list[str]) -> list[tuple[str, list[str]]]:
    """Reports of 2009 merge what several states said into one sentence, the wording of each in turn:
    "Take the necessary measures to prevent/prohibit the use of torture / ill-treatment (Japan,
    Uzbekistan)" is Japan's "prevent the use of torture" and Uzbekistan's "prohibit the use of
    ill-treatment". Read so only when every alternative in the sentence has exactly one word per state."""
    # "at the earliest possible time/as soon as possible": a function word on either side is two
    # phrases joined by a slash, not one word against another
    groups = [m for m in _WORD_ALTERNATIVE.finditer(text) if not {m.group(1), m.group(2)} & _FUNCTION_WORDS]
    if len(codes) != 2 or not groups or text.count("/") != len(groups):
        return _leading_alternatives(text, codes)
    texts = []
    for choice in (1, 2):
        pieces, last = [], 0
        for match in groups:
            pieces.append(text[last:match.start()] + match.group(choice))
            last = match.end()
        texts.append("".join(pieces) + text[last:])
    return [(texts[0], [codes[0]]), (texts[1], [codes[1]])]


def _join_bare_verbs(parts: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """A verb left without its object ("Accede to (Slovenia)/sign (Sweden) and ratify the Protocol (Chile,
    Slovenia, Sweden)") joins the next recommendation of the same state: "Accede to and ratify the Protocol"."""
    out = list(parts)
    index = 0
    while index < len(out):
        text, codes = out[index]
        words = text.split()
        if len(codes) == 1 and 1 <= len(words) <= 3 and (_bare_verb(text) or words[-1] == "to"):
            later = next((k for k in range(index + 1, len(out)) if codes[0] in out[k][1]), None)
            if later is not None:
                target, target_codes = out[later]
                joined = f"{text} and {target[:1].lower()}{target[1:]}"
                rest = [code for code in target_codes if code != codes[0]]
                out[later:later + 1] = [(target, rest)] if rest else []
                out[index] = (joined, codes)
        index += 1
    return out


# Cycle-1 reports quote a state's several recommendations in one sentence: "That Algeria take measures
# against violence; recommends the continuation of the moratorium (Italy)", "... It also recommended
# that the State pursue its efforts (Nigeria)". Each "recommends" starts a recommendation of its own.
_RECOMMENDS = r"(?:recommends?|recommended|encourages?|encouraged|urges?|urged|calls?\s+(?:up)?on|called\s+(?:up)?on)"
_FURTHER = re.compile(
    rf";\s*(?:and\s+)?(?:(?:it|also)\s+)*(?={_RECOMMENDS}\b)|\.\s+It\s+(?:also\s+|further\s+)?(?={_RECOMMENDS}\b)"
)
# The report's own verb ("Recommended that Benin", "recommends that Algeria", "Invited Benin to"), in the
# third person or the past: never the recommendation's imperative ("Encourage China to consider ...").
REPORTED = r"(?:[Rr]ecommend(?:s|ed)|[Ee]ncourag(?:es|ed)|[Uu]rg(?:es|ed)|[Ii]nvit(?:es|ed)|[Cc]all(?:s|ed)\s+(?:up)?on)"
_SUBJECT = re.compile(
    rf"^(?:{REPORTED}\s+(?:that\s+|to\s+)?|[Tt]hat\s+)"
    r"(?P<subject>[Tt]he\s+State|[Tt]he\s+(?:[A-Z][\w’'-]+\s+)?Government|[Tt]he\s+country|[Tt]he\s+authorities|it|"
    # "that the Congo consider", "that the Netherlands ensure": a state's name with its article
    r"[Tt]he\s+(?P<named>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,3})(?=\s+(?:should\s+|shall\s+|must\s+)?[a-z])|"
    r"[A-Z][\w’'.-]*(?:\s+(?:[A-Z][\w’'.-]*|of|the))*?)"
    # "Recommended that Benin should investigate": the modal is the report's, the action "Investigate".
    r"\s+(?:should\s+|shall\s+|must\s+)?(?:to\s+)?(?P<verb>[a-z][a-z-]+)\b",
)
_NOT_VERBS = frozenset("and or be is are was were has have had should would could must may might shall will".split())


def imperative(text: str) -> str:
    """"That Algeria continue a dialogue" -> "Continue a dialogue", as reports since 2009 word it
    ("that Benin should investigate" -> "Investigate").

    Only when the subject is the State under Review's name (any state name), "the State", "the
    Government" or "it", so "That discrimination be included" and "That United Nations agencies ..."
    keep their words.
    """
    match = _SUBJECT.match(text)
    if match and match.group("verb").lower() not in _NOT_VERBS:
        subject = match.group("subject")
        if match.group("named") and not lookup_state(match.group("named")):
            return text  # "That the Committee adopt ...": not the state
        if re.fullmatch(r"the\s+\w+|it|the\s+[A-Z][\w’'-]+\s+Government", subject, re.I) or lookup_state(subject):
            rest = text[match.start("verb"):]
            return rest[:1].upper() + rest[1:]
    if to := re.match(r"[Tt]o\s+(?!(?:that|this|the|a|an|all|its|these|those)\b)([a-z])", text):
        return to.group(1).upper() + text[to.end():]
    return text


# In a paragraph written as infinitive clauses ("To pursue its effort ...; to better distribute food
# ..."), each clause after a semicolon or a full stop is a recommendation of its own.
_NEXT_INFINITIVE = re.compile(r";\s*(?:and\s+)?(?=to\s+(?!(?:that|this|the|a|an|all|its|these|those)\b)[a-z]+\b)|"
                              r"\.\s+(?=To\s+(?!(?:that|this|the|a|an|all|its|these|those)\b)[a-z]+\b)")


# "(i) Work more systematically ..., (ii) review ... and (iv) review the Criminal Code": numbered items.
_ROMAN_ITEM = re.compile(r"[,;]?\s*(?:and\s+)?\((?:ii|iii|iv|v|vi|vii|viii|ix|x)\)\s*")


def _separate_recommendations(body: str) -> list[str]:
    parts = [part.lstrip(" \n;,.").rstrip(" \n;,") for part in _FURTHER.split(body)]
    if re.match(r"\s*To\s+[a-z]", body):
        parts = [piece.lstrip(" \n;,.").rstrip(" \n;,") for part in parts for piece in _NEXT_INFINITIVE.split(part)]
    if re.match(r"\s*\(i\)\s", body) and re.search(r"\(ii\)", body):
        parts = [re.sub(r"^\(i\)\s*", "", piece.strip(" \n;,")) for part in parts for piece in _ROMAN_ITEM.split(part)]
    return [(text := imperative(part))[:1].upper() + text[1:] for part in parts if len(part) > 3]


# Words that open a phrase extending the sentence before it rather than a new recommendation.
_EXTENDERS = frozenset(
    "as at without with within in into through including particularly notably especially namely by for from "
    "of on under when where while which who whose so such aiming taking bearing paying the a an its their all "
    "both other inter more than already preferably possibly soon".split()
)
_FUNCTION_WORDS = frozenset("and or as at of to in on by for with the a an soon".split())


# Words that follow an imperative verb ("seek the help", "reform it", "ensure that"), rarely a noun.
_OBJECT_STARTS = frozenset("the a an its their his her all that it them this these those any such".split())


_QUALIFIER = re.compile(r";\s*(?:as\s+(?:recommended|requested|called\s+for)\s+by|in\s+(?:line|accordance|conformity|"
                        r"compliance)\s+with)\b")


def _capitalised_participle(word: str) -> bool:
    """"Aiming" in "(Chile, Spain), Aiming at the Abolition of the Death Penalty (Slovenia)": a participle
    some reports capitalise after a parenthesis; it still extends the sentence."""
    return word[:1].isupper() and word[1:].islower() and word.endswith("ing") and len(word) > 5 and (
        word.lower() not in ("bring", "during"))


def _continues(raw: str, chain: list[tuple[str, list[str]]], codes: list[str]) -> bool:
    """Whether a segment extends ``chain`` (see ``split_recommendations``) rather than starting anew."""
    stripped = raw.lstrip(" \n")
    chain_states = {code for _, chain_codes in chain for code in chain_codes}
    if stripped.startswith(";"):
        # "Accede to CAT (Australia) (Nigeria); as recommended by the Committee ... (Nigeria)": a phrase
        # that cannot stand alone qualifies its states' recommendation despite the semicolon.
        return bool(_QUALIFIER.match(stripped) and codes and set(codes) <= chain_states)
    words = re.findall(r"[A-Za-z’'-]+", stripped[:80])
    if not words:
        return False
    conjunction = words[0] in ("and", "or")
    word = words[1] if conjunction and len(words) > 1 else words[0]
    if _capitalised_participle(word):
        word = word.lower()
    if not word[:1].islower():
        return False
    if word in ("to", "that") and re.match(r"\s*(?:To|That)\b", chain[0][0]):
        return False  # "To accede ... (A), to withdraw ... (B)": parallel clauses, one recommendation each
    if word in _EXTENDERS or (not conjunction and word.endswith("ing") and len(word) > 5):
        return True  # a preposition, a determiner or a participle ("noting", "aiming at") extends the sentence
    if word == "to" and not conjunction and not stripped.startswith((",", "/")):
        return True  # a purpose clause: "Ratify ICCPR-OP 2 (Rwanda) to abolish death penalty (France)"
    # "and <verb> ..." adds to the recommendation of a state already in it ("Consider ratifying X
    # (Mexico, Argentina) and accept the competence of the committee (Argentina)"), and so does a
    # lower-case noun phrase named by a state already in it ("persons with disabilities (Japan)
    # ethnic minorities, women (Japan)", "those responsible for human rights defenders (United
    # Kingdom), freedom of opinion (United Kingdom, Slovakia)"); otherwise a lower-case verb starts a
    # recommendation of its own ("reform it (Nigeria)", ", seek the help of ... (Sudan)", "ratify (France)").
    if (not conjunction and not stripped.startswith("/") and any(code in chain_states for code in codes)
            and len(words) > 1 and words[1].lower() not in _OBJECT_STARTS):
        return True
    return conjunction and any(code in chain_states for code in codes)


def _chains(segments: list[tuple[str, list[str]]]) -> list[list[tuple[str, list[str]]]]:
    """Group raw segments into recommendations, each a head and the pieces that extend it.

    A piece extends the latest recommendation made by one of its states (in the 2013 slash form,
    ``Ratify the ICCPR (Hungary)/ Accede (Switzerland)/ and ensure its implementation (Hungary)``,
    Hungary's addition belongs to the first), else the latest recommendation.
    """
    chains: list[list[tuple[str, list[str]]]] = []
    slashed = any(raw.lstrip(" \n").startswith("/") for raw, _ in segments)
    for raw, codes in segments:
        if chains and codes and _object_item(chains, raw, codes):
            continue
        if chains and codes and _shared_tail(chains, raw, codes, slashed):
            continue
        target = None
        if chains and codes:
            target = chains[-1]
            for chain in reversed(chains):
                if any(code in chain_codes for _, chain_codes in chain for code in codes):
                    target = chain
                    break
        if target is None or not _continues(raw, target, codes):
            if chains and codes and (item := _list_alternative(chains[-1], raw)):
                chains.append([(item, codes)])
                continue
            chains.append([(raw, codes)])
            continue
        if re.match(r"[\s/,]*(?:of|to)\s", raw) and _share_object(chains, raw, codes):
            continue
        target.append((raw, codes))
    return chains


# Where a list of a recommendation's objects begins: "cases of | violence against women", "particularly
# against | women and indigenous population".
_LIST_START = frozenset("of against for on to in with including particularly especially notably".split())


def _list_alternative(chain: list[tuple[str, list[str]]], raw: str) -> str | None:
    """Reports of 2009 name another state's object after the first state's: "Continue efforts to eradicate
    and address cases of violence against women (Indonesia, Sweden), domestic violence (Algeria)" is
    Algeria's "Continue efforts to eradicate and address cases of domestic violence"; "... particularly
    against women and indigenous population (Bolivia) and journalists (Sweden)" is Sweden's "...
    particularly against journalists". Only a lower-case noun phrase that no verb opens qualifies; it
    replaces the previous recommendation's last object from where its own words first appear there,
    else the words after the last preposition."""
    stripped = raw.strip(" \n")
    match = re.match(r"(?:,\s*|and\s+)+([a-z][a-z-]+)\b", stripped)
    if not match or "/" in raw or ";" in raw:
        return None
    first = match.group(1)
    if first in OPENING_VERBS or first in _EXTENDERS or first in _NOT_VERBS or first.endswith(("ing", "ed")) or (
            first in ("that", "to", "also", "further")):
        return None
    item = stripped[match.start(1):].rstrip(" .;,")
    if len(item.split()) > 8 or (len(item.split()) > 1 and item.split()[1] in _OBJECT_STARTS):
        return None  # "reform it", "end the practice": a verb and its object
    head = re.sub(r"\s+", " ", _piece(chain[0][0]))
    words = head.split(" ")
    starts = [k + 1 for k, w in enumerate(words[:-1]) if w.lower().strip(",") in _LIST_START]
    if not starts:
        return None
    cut = starts[-1]
    shared = {w for w in re.findall(r"[a-z]{4,}", item.lower())}
    for k in range(len(words)):
        if words[k].lower().strip(",.") in shared and (before := [s for s in starts if s <= k]):
            cut = before[-1]
            break
    return " ".join(words[:cut] + [item])


# An item of a list of instruments after a treaty verb: "Consider ratifying the Optional Protocol to CEDAW
# (Brazil), the Optional Protocol to the Convention against Torture (Brazil, Djibouti)".
_INSTRUMENT_ITEM = re.compile(r"[\s,;]*(?:and\s+|as\s+well\s+as\s+)?(?P<item>(?:the\s+[A-Z]|[A-Z]{2,}\b).*)$", re.S)


def _object_item(chains: list[list[tuple[str, list[str]]]], raw: str, codes: list[str]) -> bool:
    """A named instrument listed after the previous recommendation's treaty verb is a recommendation
    of its own, made by the states named after it: the verb without the earlier instrument plus this
    one ("Consider ratifying the Optional Protocol to the Convention against Torture"). Only a
    capitalised name after "the" qualifies, so "the provisions of which ..." still extends."""
    item = _INSTRUMENT_ITEM.match(raw)
    if not item or raw.lstrip(" \n").startswith("/"):
        return False
    head = re.sub(r"\s+", " ", _piece(chains[-1][0][0]))
    verb = _TREATY_VERB.search(head)
    if not verb or not re.match(r"the\s+[A-Z]|[A-Z]{2,}", verb.group(1)):
        return False
    chains.append([(f"{head[:verb.start(1)]}{item.group('item')}", codes)])
    return True


def _shared_tail(chains: list[list[tuple[str, list[str]]]], raw: str, codes: list[str], slashed: bool) -> bool:
    """A closing phrase named by states that each made an earlier recommendation of the paragraph
    completes each of them, for its own states: "Combat (Algeria, Honduras) and continue efforts to
    eradicate (Holy See) extreme poverty (Algeria, Holy See, Honduras)"; in the slash form
    (2009-2013), "Continue promoting (Bolivia)/ to support (Lebanon) initiatives in defence (Bolivia)/
    to promote (Lebanon) international solidarity (Bolivia, Lebanon)". Outside the slash form this
    needs two recommendations completed at once; a phrase after a semicolon or in capitals starts anew."""
    stripped = raw.lstrip(" \n")
    if stripped.startswith(";"):
        return False
    words = re.findall(r"[A-Za-z’'-]+", stripped[:80])
    if not words or not (words[0][:1].islower() or _capitalised_participle(words[0])):
        return False
    latest: dict[str, int] = {}
    for index, chain in enumerate(chains):
        for _, chain_codes in chain:
            for code in chain_codes:
                latest[code] = index
    if any(code not in latest for code in codes):
        return False
    targets = sorted({latest[code] for code in codes})
    if len(targets) < 2 and not slashed:
        return False
    for index in targets:
        chains[index].append((raw, [code for code in codes if latest[code] == index]))
    return True


def _share_object(chains: list[list[tuple[str, list[str]]]], raw: str, codes: list[str]) -> bool:
    """A closing object shared by alternatives ("examine the possibility of joining (Algeria)/ratify
    (Bosnia and Herzegovina) of the Convention (Algeria, Bosnia and Herzegovina)") extends each
    alternative for the states that made it; states named only here take the latest alternative."""
    hit = [chain for chain in chains if set(chain[0][1]) & set(codes)]
    named = {code for chain in hit for code in chain[0][1]}
    leftover = [code for code in codes if code not in named]
    if len(hit) < 2 and not (hit and leftover):
        return False
    for chain in hit:
        chain.append((raw, [code for code in codes if code in chain[0][1]]))
    if leftover:
        chains[-1].append((raw, leftover))
    return True


def _list_lead(chains: list[list[tuple[str, list[str]]]]) -> str | None:
    """"Consider ratifying or acceding to: OP-CAT (France); ICRMW (Mexico)": a lead-in ending in a
    colon that every recommendation of the paragraph shares, when what follows it is a list of short
    objects rather than sentences."""
    if len(chains) < 2:
        return None
    match = re.match(r"\s*([^:;()]{5,120}?)\s*:\s*(\S[^:]*)$", chains[0][0][0], re.S)
    if not match or len(match.group(2).split()) > 8 or re.search(r"\([a-z]\)", match.group(2)):
        return None
    return re.sub(r"\s+", " ", match.group(1))


_DETERMINERS = frozenset("the a an its all this these those their any".split())
_TREATY_VERB = re.compile(r"\b(?:ratify|ratifying|ratification\s+of|accede\s+to|accession\s+to|adhere\s+to|sign)\s+(.+)$", re.I)


# An alternative that names the treaty step but not the treaty: "Complete the ratification process
# (Indonesia), consider the ratification (Chile, Ecuador), ... ratify the Convention on the Rights of
# Persons with Disabilities (Austria, ...)" (Ireland 2011, 106.1); "Become a party (Estonia), consider
# accession (Brazil), ratify the Optional Protocol to the Convention against Torture (France, ...)".
_TREATY_STEP = re.compile(r"\b(?:ratif\w*|accede|acceding|accession|adhere|adhering|adhesion|party|parties|sign|signing|"
                          r"join|joining)\b", re.I)
_TO_WORDS = frozenset("accede acceding accession adhere adhering adhesion party parties".split())
_VERB_WORDS = frozenset("ratify ratifying sign signing join joining".split())


def _complete_treaty_phrases(chains: list[list[tuple[str, list[str]]]]) -> None:
    """Each such alternative takes the instrument the paragraph's full recommendation names."""
    if len(chains) < 2:
        return
    heads = [re.sub(r"\s+", " ", _piece(chain[0][0])) for chain in chains]
    full = next(((k, m) for k, h in enumerate(heads) if (m := _TREATY_VERB.search(h))
                 and re.match(r"(?:the\s+)?(?:[A-Z]|[A-Z]{2,})", m.group(1)) and re.search(r"[A-Z]", m.group(1))), None)
    if full is None:
        return
    instrument = full[1].group(1)
    for index, (chain, head) in enumerate(zip(chains, heads, strict=True)):
        words = head.split()
        if index == full[0] or not 1 <= len(words) <= 8 or any(w[:1].isupper() for w in words[1:]):
            continue
        if not _TREATY_STEP.search(head) or re.search(r"\b(?:it|them|this|these|those)$", head):
            continue
        if any(re.match(r"[\s/,]*(?:of|to|the)\s", piece) for piece, _ in chain[1:]):
            continue  # the instrument follows in a piece of its own
        last = words[-1].lower()
        joiner = " to " if last in _TO_WORDS else " " if last in _VERB_WORDS else " of "
        raw, codes = chain[0]
        chain[0] = (f"{head}{joiner}{instrument}", codes)


def _bare_verb(head: str) -> bool:
    """"Accede", "Promptly ratify", "Ratify and implement": a verb phrase without its object."""
    words = head.split()
    return 1 <= len(words) <= 4 and all(w.islower() for w in words[1:]) and not _DETERMINERS & {w.lower() for w in words}


def _share_first_object(chains: list[list[tuple[str, list[str]]]], heads: list[str]) -> None:
    """Every alternative is a bare verb and the instrument follows the last one, with more of that
    state's words after it: "Consider ratifying (DR Congo)/ ratify (Spain) the Convention on the Rights
    of Persons with Disabilities (CRPD), and sign and ratify the Optional Protocol (Spain)"; "Ratify
    (Slovakia, Spain), or consider ratifying (Costa Rica) the Rome Statute of the International Criminal
    Court including its Agreement on Privileges and Immunities (Slovakia)". The instrument (up to
    ", and", ";", "including", "as well as") is the object of every alternative; what follows it stays
    the words of the state named after them."""
    holder = next((chain for chain in chains if len(chain) > 1 and re.match(r"\s*(?:the|an?)\s+[A-Z]", chain[1][0])), None)
    if holder is None:
        return
    piece = re.sub(r"\s+", " ", holder[1][0].strip())
    cut = re.search(r",?\s+and\s+(?=[a-z])|;|,?\s+(?:including|in particular|as well as)\b", piece)
    instrument = piece[: cut.start()].strip(" ,") if cut else piece.strip(" ,")
    for chain, head in zip(chains, heads, strict=True):
        if not _bare_verb(head) or (len(chain) > 1 and chain is not holder):
            continue
        raw, codes = chain[0]
        joiner = " to " if head.split()[-1].lower() in ("accede", "adhere", "subscribe") else " "
        chain[0] = (f"{head}{joiner}{instrument}", codes)
        if chain is holder:
            holder[1] = (piece[cut.start():] if cut else "", holder[1][1])


def _complete_slash_verbs(chains: list[list[tuple[str, list[str]]]]) -> None:
    """The 2013 slash form gives alternatives of one recommendation, its object written once:
    ``Ratify the ICCPR (Chile)/ Accede (Switzerland)/Consider ratifying (Mexico)``. Each bare verb
    phrase takes the object of the paragraph's full recommendation ("Accede the ICCPR"); a phrase
    ending in "to" takes the whole of it ("in order to (Argentina)/Ratify the Second Optional ...")."""
    heads = [re.sub(r"\s+", " ", _piece(chain[0][0])) for chain in chains]
    full = next((h for h in heads if not _bare_verb(h) and not h.endswith(" to") and not _dangling(h)
                 and len(h.split()) >= 2), None)
    if full is None:
        _share_first_object(chains, heads)
        return
    treaty = _TREATY_VERB.search(full)
    for chain, head in zip(chains, heads, strict=True):
        raw, codes = chain[0]
        if (_bare_verb(head) and treaty and re.match(r"the\s+[A-Z]", treaty.group(1))
                and chain[1:] and re.match(r"[\s/,]*of\s", chain[1][0])):
            # "Adhere (Costa Rica)/Ratify the Rome Statute (France) of the International Criminal Court
            # (Austria, Costa Rica)": the complement belongs to the named instrument, which the verb shares.
            joiner = " to " if head.split()[-1].lower() in ("accede", "adhere", "subscribe") else " "
            chain[0] = (f"{head}{joiner}{treaty.group(1)}", codes)
            continue
        if any(re.match(r"[\s/,]*(?:of|to|the|an?|its)\s", piece) for piece, _ in chain[1:]):
            continue  # the object follows in a piece of its own: "ratify (Bosnia) ... of the Convention (...)"
        if re.search(r"\b(?:accede|adhere|subscribe)\s+to$", head, re.I) and treaty:
            chain[0] = (f"{head} {_slash_object(head, full, treaty)}", codes)  # "Accede to (Algeria)/ sign ICRMW"
        elif head.endswith(" to") and head != full:
            chain[0] = (f"{head} {full[:1].lower()}{full[1:]}", codes)
        elif _bare_verb(head) or (_dangling(head) and head != full):
            joiner = " to " if head.split()[-1].lower() in ("accede", "adhere", "subscribe") else " "
            chain[0] = (f"{head}{joiner}{_slash_object(head, full, treaty)}", codes)


# Words a phrase cannot end on: "Continue the provision of (Myanmar)/ Continue ensuring free ... access".
_DANGLING = frozenset("of to with for the a an its their on in at by from and".split())


def _dangling(head: str) -> bool:
    return head.rsplit(" ", 1)[-1].lower() in _DANGLING and len(head.split()) >= 2


def _slash_object(head: str, full: str, treaty: re.Match | None) -> str:
    """The object of the paragraph's full recommendation that an incomplete alternative shares.

    A treaty verb's object ("Ratify the ICESCR" → "the ICESCR"); else, when the alternatives open alike
    ("Continue guaranteeing (Palestine)/ Continue ensuring free and universal access"), what follows
    the full one's verb; else, after a dangling word ("implementation of (Algeria)/ Finalise and publish
    ... its National Human Rights Action Plan"), its first determined noun phrase after a verb; else all
    but its first word.
    """
    if treaty:
        # "ratify as soon as possible ICRPD", "ratify and implement in national norms ILO Convention 169":
        # the instrument is the object, not the words the full alternative puts before it
        obj = treaty.group(1)
        named = re.search(r"\b(?:the\s+[A-Z]|[A-Z])", obj)
        if named and named.start() and re.fullmatch(r"[a-z ,-]+", obj[: named.start()]):
            return obj[named.start():]
        return obj
    words = full.split()
    if len(head.split()) >= 2 and head.split()[0].lower() == words[0].lower() and len(words) > 2:
        return " ".join(words[2:])
    if _dangling(head):
        for k in range(1, len(words)):
            if words[k].lower() in _DETERMINERS and words[k - 1].lower() not in _PREPOSITIONS:
                return " ".join(words[k:])  # "at an early date" is no object
    return full.split(" ", 1)[1]


_PREPOSITIONS = frozenset("at in on of by with for to from under into within through".split())


def _piece(raw: str) -> str:
    body = raw.strip(" \n;,/:")
    body = re.sub(r"^(?:and|or)\s+", "", body).strip()
    return body[:1].upper() + body[1:]


def _chain_recommendations(chain: list[tuple[str, list[str]]], slashed: bool = False) -> list[tuple[str, list[str]]]:
    head, head_codes = chain[0]
    head_text = _piece(head)
    if len(chain) == 1:
        return [(head_text, list(dict.fromkeys(head_codes)))] if len(head_text) > 3 else []
    states = list(dict.fromkeys(code for _, codes in chain for code in codes))
    by_text: dict[str, list[str]] = {}
    for state in states:
        text = head_text
        pieces = [raw for raw, codes in chain[1:] if state in codes]
        if state in head_codes and not pieces and _incomplete(head_text) and not slashed:
            # "Consider (Slovenia, Latvia) issuing a standing invitation to Special Procedures (Uruguay,
            # Hungary)", "evaluate the possibility of ratifying (Argentina) the International Convention
            # ... (Spain)": a head that cannot stand alone takes the words that complete it
            pieces = [raw for raw, _ in chain[1:]]
        if slashed and state not in head_codes and pieces and (word := _word_alternative(pieces[0])):
            # "Continue promoting (Turkey) / applying (Nicaragua) a gender perspective (Turkey) in its
            # national policies (Nicaragua)": Nicaragua's word takes the place of Turkey's, and the object
            # written once between them is Nicaragua's too.
            text = _replace_last_words(head_text, word)
            mine = [k for k, (_, codes) in enumerate(chain) if state in codes]
            pieces = [raw for k, (raw, codes) in enumerate(chain) if mine[0] < k <= mine[-1]
                      and (state in codes or not raw.lstrip(" \n").startswith("/"))]
        if state not in head_codes and pieces and (verb := re.match(r"[\s,]*(?:and|or)\s+([a-z]+)\b", pieces[0])) and (
                verb.group(1) not in _EXTENDERS and not verb.group(1).endswith("ing")):
            # "Implement safeguards (Czech Republic) and release all political prisoners (Belgium, Czech
            # Republic)": a state that joins only at "and <verb>" made that recommendation alone.
            text, pieces = _piece(pieces[0]), pieces[1:]
        elif state not in head_codes and pieces and (also := re.match(r"[\s,]*as\s+well\s+as\s+(to\s+[a-z]+\b.*)$",
                                                                       pieces[0], re.S)):
            # "... to ensure equal enjoyment of human rights by Roma people (Ireland) as well as to take
            # further appropriate and effective measures to eliminate discrimination against Roma
            # (Netherlands, Brazil)": an infinitive after "as well as" is the later states' own recommendation
            text, pieces = imperative(_piece(also.group(1))), pieces[1:]
        for raw in pieces:
            if raw:
                # keep the joining word ("and", "as well as") but not the slash or comma before a phrase
                joined = raw.strip(" \n/").lstrip("; ")
                if verb := re.search(r"\b(ratify|ratifying|sign|signing|join|joining|implement|accede|adhere|subscribe)$",
                                     text, re.I):
                    # "ratify (Bosnia) ... of the Convention": the shared object, not a noun's complement
                    preposition = "to " if verb.group(1).lower() in ("accede", "adhere", "subscribe") else ""
                    joined = re.sub(r"^of\s+", preposition, joined)
                text = f"{text}{'' if joined.startswith(',') else ' '}{joined}"
        by_text.setdefault(text.strip(" \n;,/:"), []).append(state)
    return [(text, codes) for text, codes in by_text.items() if len(text) > 3]


def _incomplete(head: str) -> bool:
    """A verb without its object: "Consider", "Extend and implement", "Evaluate the possibility of ratifying",
    "Accede to" (not "Consolidate reconciliation", which stands alone)."""
    words = head.lower().split()
    if 1 <= len(words) <= 3 and words[-1] in OPENING_VERBS and all(w in OPENING_VERBS or w == "and" for w in words):
        return True
    return _dangling(head) or bool(re.search(
        r"\b(?:ratify|ratifying|sign|signing|join|joining|accede\s+to|acceding\s+to|adhere\s+to|adhering\s+to)$", head))


def _word_alternative(raw: str) -> str | None:
    """"/ applying": one or two lower-case words after a slash, standing in for the words before it."""
    match = re.fullmatch(r"\s*/\s*([a-z][a-z-]+(?: [a-z][a-z-]+)?)\s*", raw)
    if match and match.group(1).split()[0] not in _EXTENDERS | _DANGLING | {"and", "or", "to"}:
        return match.group(1)
    return None


def _replace_last_words(text: str, words: str) -> str:
    """"Continue promoting" + "applying" → "Continue applying": as many words replaced as given."""
    kept = text.split(" ")
    n = len(words.split(" "))
    return " ".join(kept[:-n] + [words]) if len(kept) > n else text


def unresolved_state(text: str) -> str | None:
    """The last parenthesis of an item that found no state, when it reads like a state name."""
    groups = _PAREN.findall(uninvert_state_names(text))
    if not groups:
        return None
    last = re.sub(r"\s+", " ", groups[-1]).strip()
    if text.rstrip(" \n;.").endswith(")") and re.fullmatch(r"[A-Z][\w’'\-]+(?: (?:[A-Z][\w’'\-]+|of|the|and|de))*", last):
        return last
    return None


# Verbs that open recommendations: every verb among the opening words of at least 8 of UPR Info's
# recommendations of sessions 1-20.
OPENING_VERBS = frozenset("""
    abide abolish abrogate accede accelerate accept accomplish achieve acknowledge act adapt address adhere
    adjust adopt advance agree align allocate allow amend analyse analyze apply approve assess attach avoid
    ban become begin bolster bring broaden build call carry cease clarify close collaborate collect combat
    commit commute complete comply concentrate conclude condemn conduct confirm consider consolidate
    continue contribute cooperate create criminalise criminalize declare decriminalise decriminalize deepen
    define demonstrate deploy design designate develop devise devote disseminate double draft draw ease
    elaborate eliminate enable enact encourage end endeavour enforce engage enhance ensure envisage
    eradicate establish evaluate examine exert expand expedite explore extend facilitate fight finalise
    finalize find focus follow formulate foster fulfil give grant guarantee halt harmonise harmonize heed
    hold identify implement impose improve include incorporate increase inform initiate institute integrate
    intensify introduce invest investigate invite involve issue join keep launch lift look maintain make
    meet modify monitor move open organise organize participate pass pay permit persevere persist place
    prepare present prevent prioritise prioritize proceed prohibit promote promulgate prosecute protect
    provide publish pursue put raise ratify reach recognise recognize reconsider redouble reduce reform
    refrain reinforce reinstate release remain remove renew repeal report request resolve respect respond
    restore restrict review revise revoke safeguard secure seek set share sign spare speed start step stop
    strengthen strive study submit support suspend sustain take train treat undertake uphold use withdraw
    work
""".split())
