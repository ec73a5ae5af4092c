"""Query expansion: the other words people and documents use for what a query names.

Two sources, both data a person can review:

- **States and peoples**, from the states table (``data/states.csv``): a query word or phrase that is a
  state's official name, short name, alias or former name ("DPRK", "North Korea", "Swaziland") or a
  demonym ("North Korean", "Congolese") also matches the state's other names in recommendation text
  ("Democratic People's Republic of Korea"). ISO codes are not matched (a query word "to" or "no"
  would otherwise become Tonga or Norway). A demonym several states share ("Korean") expands to all of
  them, and is never *added* to another query (a query "DPRK" must not find every "Korean").
- **Topic synonyms, related terms and treaty acronyms** (``data/search/synonyms.csv``): groups of terms,
  each with where it came from (UPR Info's issue definitions, OHCHR's theme list, treaty titles, the
  embedding model's neighbours, wording found in the corpus). Every term of a group expands to the
  others ("CAT" ↔ "Convention against Torture").

Matching compares stemmed words (Snowball English, as the snippets do), so "refugees" and "escapees"
find their groups. Runs of plain query words are matched longest first ("north korean escapees" is
"north korean" + "escapees"). A matched part keeps what the user typed and gains the other forms as
alternatives: ``OR``-ed, so expansion can only add results, never lose one. Nothing under ``NOT``, no
prefix (``refug*``) and no ``exact:`` query is expanded.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from uprwatch.records.states import load_states
from uprwatch.search.highlight import stem
from uprwatch.search.query import And, Node, Not, Or, ParsedQuery, Phrase, Term, words_of

SYNONYMS_FILE = Path(__file__).resolve().parent.parent / "data" / "search" / "synonyms.csv"
MAX_WORDS = 16  # the longest trigger (a treaty's full title) is 15 words
MIN_ADDED_LENGTH = 3  # "US" is a state's alias, but added to a query it would find every "us"


@dataclass(frozen=True)
class Form:
    """One way of writing something: as displayed, and as the folded words the backends match."""

    text: str
    words: tuple[str, ...]

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(stem(w) for w in self.words)


@dataclass(frozen=True)
class Entry:
    """What a trigger means: its kind ("state", "people", "synonym"), a label, the forms it adds."""

    kind: str
    meaning: str
    forms: tuple[Form, ...]
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expansion:
    """One applied expansion, for the page, the API and the CLI to show."""

    typed: str  # the words as the query had them
    kind: str
    meaning: str
    added: tuple[str, ...]  # the other forms searched as well
    sources: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"typed": self.typed, "kind": self.kind, "meaning": self.meaning, "added": list(self.added),
                "sources": list(self.sources)}


def _form(text: str) -> Form | None:
    words = tuple(words_of(text))
    return Form(text, words) if words else None


def _dedupe(forms: list[Form]) -> tuple[Form, ...]:
    seen: dict[tuple[str, ...], Form] = {}
    for form in forms:
        seen.setdefault(form.key, form)
    return tuple(seen.values())


@functools.lru_cache(maxsize=1)
def lexicon() -> dict[tuple[str, ...], Entry]:
    """Every trigger (stemmed words) → what it expands to. Built once per process from the data files."""
    table: dict[tuple[str, ...], Entry] = {}
    # States: names and aliases name one state; a demonym may name several.
    own_forms: dict[str, list[Form]] = {}
    demonym_states: dict[tuple[str, ...], list[str]] = {}
    names: dict[str, str] = {}
    for state in load_states():
        names[state.iso3] = state.name
        forms = [f for f in map(_form, (state.name, *state.aliases)) if f]
        demonyms = [f for f in map(_form, state.demonyms) if f]
        for demonym in demonyms:  # "Icelandic" and "Icelander" stem alike: one state, counted once
            if state.iso3 not in demonym_states.setdefault(demonym.key, []):
                demonym_states[demonym.key].append(state.iso3)
        own_forms[state.iso3] = forms + demonyms
    for iso3, forms in own_forms.items():
        # A state's own additions: its names, and the demonyms no other state shares.
        # Inverted list forms ("Korea (Republic of)") never occur in running text: triggers only.
        addable = _dedupe([f for f in forms if len(demonym_states.get(f.key, [iso3])) == 1
                           and len("".join(f.words)) >= MIN_ADDED_LENGTH and not any(c in f.text for c in "(,")])
        own_forms[iso3] = list(addable)
    for state in load_states():
        for form in filter(None, map(_form, (state.name, *state.aliases))):
            table[form.key] = Entry("state", state.name, tuple(own_forms[state.iso3]), ("states table",))
    for key, states in demonym_states.items():
        forms = _dedupe([f for iso3 in states for f in own_forms[iso3]])
        meaning = " or ".join(names[iso3] for iso3 in states)
        table.setdefault(key, Entry("people", meaning, forms, ("states table (demonyms)",)))
    # Topic groups.
    groups: dict[str, list[tuple[Form, str]]] = {}
    with open(SYNONYMS_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            form = _form(row["term"])
            if form:
                groups.setdefault(row["group"], []).append((form, row["source"]))
    for group, members in groups.items():
        forms = _dedupe([form for form, _ in members])
        sources = tuple(dict.fromkeys(source for _, source in members))
        for form, _ in members:
            table.setdefault(form.key, Entry("synonym", group, forms, sources))
    return table


def _leaf_words(node: Node) -> tuple[str, ...] | None:
    """The words of a plain leaf that can start or continue a trigger (prefixes cannot)."""
    if isinstance(node, Term) and not node.prefix:
        return (node.word,)
    if isinstance(node, Phrase):
        return node.words
    return None


def _form_node(form: Form) -> Node:
    return Term(form.words[0]) if len(form.words) == 1 else Phrase(form.words)


def _expanded_run(children: list[Node], found: list[Expansion]) -> list[Node]:
    """Greedy longest match over a run of plain words (a phrase only matches whole)."""
    table = lexicon()
    out: list[Node] = []
    i = 0
    while i < len(children):
        best = None
        for j in range(min(len(children), i + MAX_WORDS), i, -1):
            parts = children[i:j]
            if len(parts) > 1 and any(isinstance(p, Phrase) for p in parts):
                continue  # a quoted phrase is matched on its own
            words = tuple(w for p in parts for w in _leaf_words(p))
            entry = table.get(tuple(stem(w) for w in words))
            if entry is not None:
                best = (j, words, entry)
                break
        if best is None:
            out.append(children[i])
            i += 1
            continue
        j, words, entry = best
        typed_key = tuple(stem(w) for w in words)
        added = [f for f in entry.forms if f.key != typed_key]
        original = children[i] if j == i + 1 else And(tuple(children[i:j]))
        if added:
            out.append(Or((original, *(_form_node(f) for f in added))))
            found.append(Expansion(" ".join(words), entry.kind, entry.meaning, tuple(f.text for f in added),
                                   entry.sources))
        else:
            out.extend(children[i:j])
        i = j
    return out


def _expand(node: Node, found: list[Expansion]) -> Node:
    if isinstance(node, Not):
        return node
    if isinstance(node, Term | Phrase):
        if _leaf_words(node) is None:
            return node
        expanded = _expanded_run([node], found)
        return expanded[0]
    if isinstance(node, Or):
        return Or(tuple(_expand(child, found) for child in node.children))
    if isinstance(node, And):
        out: list[Node] = []
        run: list[Node] = []
        for child in node.children:
            if _leaf_words(child) is not None:
                run.append(child)
                continue
            out += _expanded_run(run, found)
            run = []
            out.append(_expand(child, found))
        out += _expanded_run(run, found)
        return out[0] if len(out) == 1 else And(tuple(out))
    return node


def expand(parsed: ParsedQuery) -> tuple[ParsedQuery, list[Expansion]]:
    """The query with every state, people and topic it names widened to their other forms.

    Returns the new query and what was added; ``exact:`` queries and queries without words come back
    unchanged.
    """
    if parsed.exact or parsed.tree is None:
        return parsed, []
    found: list[Expansion] = []
    tree = _expand(parsed.tree, found)
    if not found:
        return parsed, []
    return ParsedQuery(tree=tree, exact=parsed.exact), found
