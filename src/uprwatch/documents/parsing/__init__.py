"""Parsers for official UPR documents: pure functions, file in, data out, no database.

``parse_document(path)`` identifies a document by its content (the symbol and title on page 1, the
header of a thematic list), never its file name, and returns a ``ParsedDocument``:

- ``working_group_report``: "Report of the Working Group on the Universal Periodic Review"
  (A/HRC/x/y), every format since 2008. Its recommendations section lists paragraphs
  (``186.243``, or in cycle 1 ``114`` with items ``1.``, ``2.``); each paragraph holds one or more
  recommendations, each followed by its recommending state(s) in parentheses.
- ``responses_addendum``: A/HRC/x/y/Add.1, "Views on conclusions and/or recommendations".
- ``thematic_list``: OHCHR's thematic list of recommendations (DOCX).

One module per concern, bottom to top: ``parsed`` (the types), ``states`` (state names),
``front`` (page 1), ``splitter`` (a paragraph into recommendations), ``dialogue`` (cycle-1
references into the interactive dialogue), ``reports``, ``addenda``, ``thematic`` (OHCHR lists) and
``document`` (identify a file and dispatch). This module re-exports the public names.
"""

from uprwatch.documents.parsing.addenda import parse_responses_addendum
from uprwatch.documents.parsing.dialogue import dialogue_references
from uprwatch.documents.parsing.document import max_bytes, parse_document, parse_pdf_pages
from uprwatch.documents.parsing.front import identify_pages, ordinal_number, session_and_dates
from uprwatch.documents.parsing.parsed import (
    KINDS,
    DocumentIdentity,
    NotRecommendationsError,
    ParsedDocument,
    ParsedRecommendation,
    as_dict,
)
from uprwatch.documents.parsing.reports import (
    paragraphs_addressed_elsewhere,
    parse_working_group_report,
    recommendations_section,
)
from uprwatch.documents.parsing.splitter import split_recommendations
from uprwatch.documents.parsing.states import lookup_state, uninvert_state_names
from uprwatch.documents.parsing.thematic import (
    ListTables,
    parse_list_tables,
    parse_thematic_list,
    read_doc_tables,
    read_docx_tables,
)

__all__ = [
    "KINDS", "ParsedDocument", "ParsedRecommendation", "as_dict", "dialogue_references", "lookup_state",
    "max_bytes", "ordinal_number", "paragraphs_addressed_elsewhere", "parse_document", "parse_pdf_pages",
    "parse_responses_addendum", "parse_thematic_list", "parse_working_group_report", "recommendations_section",
    "session_and_dates", "split_recommendations", "uninvert_state_names", "ListTables", "parse_list_tables",
    "read_docx_tables", "read_doc_tables", "DocumentIdentity", "NotRecommendationsError", "identify_pages",
]
