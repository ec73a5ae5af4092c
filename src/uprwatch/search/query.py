"""The search query language, parsed into a small tree that each backend compiles.

Grammar (words are ANDed by default)::

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary+
    unary   := ("-" | "NOT") unary | atom
    atom    := '"' words '"' | word | word* | "(" or_expr ")"

``exact:`` at the start turns stemming off. Text is folded (case, accents) the same way on both sides,
so the backends only ever see plain lower-case word characters: no user string can reach SQLite's
FTS5 or PostgreSQL's tsquery parser unquoted. Anything that cannot be parsed raises ``QueryError``
with a message a person can act on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from uprwatch.errors import Invalid

MAX_QUERY_LENGTH = 500
MAX_TERMS = 40

# Stemmers (Porter in FTS5, Snowball in PostgreSQL) leave irregular plurals alone; expanding them in
# the query makes "woman" find "women" on both backends.
IRREGULAR_FORMS = [
    ("woman", "women"), ("man", "men"), ("child", "children"), ("person", "people"),
    ("girl", "girls"), ("wife", "wives"), ("life", "lives"), ("foot", "feet"),
]
_VARIANTS: dict[str, tuple[str, ...]] = {}
for _forms in IRREGULAR_FORMS:
    for _form in _forms:
        _VARIANTS[_form] = _forms

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'\s*(?:(")|(\()|(\))|(-)(?=[^\s\-])|([^\s"()]+))', re.UNICODE)


class QueryError(Invalid):
    """A query or filter the user must correct; the message says how."""


def fold(text: str) -> str:
    """Lower-case and strip accents (é → e), keeping word characters and spacing."""
    if text.isascii():  # the common case, and 20x quicker than decomposing
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words_of(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Phrase | Not | And | Or


@dataclass(frozen=True)
class ParsedQuery:
    tree: Node | None  # None: no text condition (filters only)
    exact: bool

    def positive_leaves(self) -> list[Term | Phrase]:
        """The words and phrases that should be highlighted (negated ones are not)."""
        found: list[Term | Phrase] = []

        def walk(node: Node | None, negated: bool) -> None:
            if node is None:
                return
            if isinstance(node, Not):
                walk(node.child, not negated)
            elif isinstance(node, And | Or):
                for child in node.children:
                    walk(child, negated)
            elif not negated:
                found.append(node)

        walk(self.tree, False)
        return found


def _lex(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None:  # pragma: no cover - the pattern accepts every non-space character
            raise QueryError(f"cannot read the query near {text[pos:pos + 20]!r}")
        quote, open_, close, minus, word = match.groups()
        if quote:
            end = text.find('"', match.end())
            if end == -1:
                raise QueryError('unclosed quote: add the closing " to the phrase')
            tokens.append(("phrase", text[match.end():end]))
            pos = end + 1
            continue
        if open_:
            tokens.append(("(", "("))
        elif close:
            tokens.append((")", ")"))
        elif minus:
            tokens.append(("not", "-"))
        elif word in ("OR", "|"):
            tokens.append(("or", word))
        elif word == "NOT":
            tokens.append(("not", word))
        elif word == "AND":
            pass  # AND is the default between words
        else:
            tokens.append(("word", word))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], stem: bool):
        self.tokens = tokens
        self.pos = 0
        self.stem = stem
        self.leaves = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.or_expr()
        if self.pos < len(self.tokens):
            raise QueryError("unbalanced parentheses: a ')' has no matching '('")
        return node

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while self.peek() == "or":
            self.pos += 1
            if self.peek() in (None, ")", "or"):
                raise QueryError("OR needs a word on both sides")
            parts.append(self.and_expr())
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node | None:
        if self.peek() == "or":
            raise QueryError("OR needs a word on both sides")
        parts: list[Node] = []
        while self.peek() not in (None, "or", ")"):
            node = self.unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node | None:
        kind = self.peek()
        if kind == "not":
            self.pos += 1
            if self.peek() in (None, ")", "or"):
                raise QueryError("NOT (or a leading -) must be followed by a word or phrase")
            child = self.unary()
            return Not(child) if child is not None else None
        return self.atom()

    def atom(self) -> Node | None:
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "(":
            node = self.or_expr()
            if self.peek() != ")":
                raise QueryError("unbalanced parentheses: a '(' is never closed")
            self.pos += 1
            return node
        if kind == "phrase":
            words = tuple(words_of(value))
            return self.leaf(Phrase(words) if len(words) > 1 else Term(words[0])) if words else None
        # a plain word; "non-refoulement" is two words in a row, i.e. a phrase
        prefix = value.endswith("*")
        words = words_of(value)
        if not words:
            return None
        if len(words) > 1:
            if prefix:
                return self.leaf(And((Phrase(tuple(words[:-1])), Term(words[-1], prefix=True))))
            return self.leaf(Phrase(tuple(words)))
        word = words[0]
        if prefix:
            return self.leaf(Term(word, prefix=True))
        if self.stem and word in _VARIANTS:
            return self.leaf(Or(tuple(Term(form) for form in _VARIANTS[word])))
        return self.leaf(Term(word))

    def leaf(self, node: Node) -> Node:
        self.leaves += 1
        if self.leaves > MAX_TERMS:
            raise QueryError(f"too many words: a query may hold at most {MAX_TERMS}")
        return node


def parse_query(text: str | None, exact: bool = False) -> ParsedQuery:
    """Parse what a user typed. Raises ``QueryError`` with a clear message."""
    text = (text or "").replace("\x00", " ").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is too long ({len(text)} characters; at most {MAX_QUERY_LENGTH})")
    if text.lower().startswith("exact:"):
        exact = True
        text = text[len("exact:"):].strip()
    tree = _Parser(_lex(text), stem=not exact).parse()
    if tree is not None:  # a top-level NOT alone is allowed: "everything except ..." (see backends)
        _check_negations(tree, top=True)
    return ParsedQuery(tree=tree, exact=exact)


def _only_negative(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(isinstance(c, Not) for c in node.children)
    return False


def _check_negations(node: Node, top: bool) -> None:
    """A NOT needs something positive next to it, except in a query that is only NOTs."""
    if isinstance(node, Not):
        if not top:
            raise QueryError("NOT (or -) must follow a word it excludes from, e.g. 'refugees -asylum'")
        _check_negations(node.child, top=False)
    elif isinstance(node, And):
        if _only_negative(node) and not top:
            raise QueryError("a group of only NOT terms must sit next to a word, e.g. 'torture (-police)'")
        for child in node.children:
            if not isinstance(child, Not):
                _check_negations(child, top=False)
            else:
                _check_negations(child.child, top=False)
    elif isinstance(node, Or):
        for child in node.children:
            if _only_negative(child):
                raise QueryError("OR cannot join a NOT term: write 'a OR b' and exclude with '-c' outside")
            _check_negations(child, top=False)
