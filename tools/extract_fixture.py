"""Cut a parser fixture out of a real UN document: the page texts (or list tables) the parser reads.

The parser tests run in any clone, without ../shared, on these fixtures (tests/fixtures/documents/):

- ``NAME.pages.txt``: the text of the chosen pages of a PDF as PDFium extracts it (what
  ``parse_pdf_pages`` consumes), pages separated by a form feed;
- ``NAME.tables.json``: an OHCHR thematic list as ``ListTables`` (page header, paragraphs, the first
  rows of each table), what ``parse_list_tables`` consumes;
- ``NAME.expected.json``: where it came from and what the parser made of it (``ParsedDocument.to_json``),
  written with ``--expected`` after reading it through: the test fails when the parse changes.

    .venv/bin/python tools/extract_fixture.py SOURCE NAME [--pages 1,2,14-20] [--rows 40] [--expected]
    .venv/bin/python tools/extract_fixture.py --expected-only NAME   # re-parse a fixture, rewrite its expected
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "documents"
sys.path.insert(0, str(ROOT / "src"))


def page_numbers(spec: str, count: int) -> list[int]:
    """"1,2,14-20" -> [1, 2, 14, ..., 20] (1-based, within the document)."""
    found: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        found.extend(range(int(first), int(last or first) + 1))
    return [n for n in dict.fromkeys(found) if 1 <= n <= count]


def load_fixture(name: str):
    """The parsed document of a fixture, by the same loaders the tests use."""
    from uprwatch.calendar.derivation import states_in_session
    from uprwatch.documents.parsing import ListTables, parse_list_tables, parse_pdf_pages

    pages = FIXTURES / f"{name}.pages.txt"
    if pages.exists():
        return parse_pdf_pages(pages.read_text(encoding="utf-8").split("\f"))
    tables = json.loads((FIXTURES / f"{name}.tables.json").read_text(encoding="utf-8"))
    return parse_list_tables(ListTables.from_json(tables), session_states=states_in_session)


def expected_shape(parsed) -> dict:
    """What a fixture's expected file holds: the document and, per recommendation, its non-empty fields
    (state codes only: the names beside them come from the states table, not from the parser)."""
    data = parsed.to_json()
    document = {k: v for k, v in data["document"].items() if not k.endswith("_name")}
    recommendations = [{k: v for k, v in r.items() if v not in ("", [], False, None) and not k.endswith("_names")}
                       for r in data["recommendations"]]
    return {"document": document, "recommendations": recommendations}


def write_expected(name: str, source: dict) -> None:
    parsed = load_fixture(name)
    shape = expected_shape(parsed)
    dump = functools.partial(json.dumps, ensure_ascii=False)
    lines = ",\n  ".join(dump(r) for r in shape["recommendations"])
    text = (f'{{"source": {dump(source)},\n "document": {dump(shape["document"])},\n'
            f' "recommendations": [\n  {lines}\n ]}}\n')
    (FIXTURES / f"{name}.expected.json").write_text(text, encoding="utf-8")
    print(f"{name}: {parsed.kind} {parsed.symbol}, {len(parsed.recommendations)} recommendations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?", type=Path)
    parser.add_argument("name", nargs="?")
    parser.add_argument("--pages", default="")
    parser.add_argument("--rows", type=int, default=40, help="rows kept of each table of a thematic list")
    parser.add_argument("--expected", action="store_true", help="also write NAME.expected.json")
    parser.add_argument("--expected-only", metavar="NAME")
    args = parser.parse_args()
    import django

    django.setup()
    from uprwatch.documents.extraction import file_format, pdf_pages
    from uprwatch.documents.parsing import read_docx_tables

    if args.expected_only:
        expected = FIXTURES / f"{args.expected_only}.expected.json"
        source = json.loads(expected.read_text(encoding="utf-8"))["source"] if expected.exists() else {}
        write_expected(args.expected_only, source)
        return
    if not args.source or not args.name:
        parser.error("SOURCE and NAME are required")
    FIXTURES.mkdir(parents=True, exist_ok=True)
    source = {"file": args.source.name}
    if file_format(args.source) == "pdf":
        pages = pdf_pages(args.source)
        chosen = page_numbers(args.pages, len(pages)) if args.pages else list(range(1, len(pages) + 1))
        (FIXTURES / f"{args.name}.pages.txt").write_text("\f".join(pages[n - 1] for n in chosen), encoding="utf-8")
        source["pages"] = chosen
    else:
        tables = read_docx_tables(args.source)
        tables.tables = [table[: args.rows + 1] for table in tables.tables]
        (FIXTURES / f"{args.name}.tables.json").write_text(
            json.dumps(tables.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        source["rows_per_table"] = args.rows
    if args.expected:
        write_expected(args.name, source)


if __name__ == "__main__":
    main()
