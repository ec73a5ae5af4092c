"""The one table of search filters: it makes the CLI's options, the API's query schema and the search
page's facets, and ``SearchParams`` reads the same names. A new filter is one row here (and its facet
column in ``catalog``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Filter:
    """A repeatable filter: values are ORed, filters are ANDed."""

    name: str  # the query parameter and API field; the CLI option is --name with - for _
    title: str  # the facet's heading on the search page
    help: str  # the CLI option's help
    kind: type = str  # int: values must be whole numbers
    catalog: bool = True  # a facet column of the catalog; False: the body filter (other mechanisms)
    # Whether it means something for other UN mechanisms' records (``body=CAT``): they concern states and
    # carry themes, SDG targets and a date, but no cycle, session, recommending state, response or action.
    mechanisms: bool = True


FILTERS: tuple[Filter, ...] = (
    Filter("sur", "State under Review", "State under Review (any alias; repeat to OR)."),
    Filter("by", "Recommending state", "Recommending state (any alias; repeat to OR).", mechanisms=False),
    Filter("sur_group", "Regional group of the State under Review", "Regional group of the State under Review."),
    Filter("by_group", "Recommending regional group", "Regional group of the recommending state.", mechanisms=False),
    Filter("sur_bloc", "Organisation of the State under Review", "Organisation of the State under Review (EU, OIC, ...)."),
    Filter("by_bloc", "Recommending organisation", "Organisation of the recommending state.", mechanisms=False),
    Filter("cycle", "Cycle", "UPR cycle (1-4).", int, mechanisms=False),
    Filter("session", "Session", "Working Group session number.", int, mechanisms=False),
    Filter("year", "Year", "Year of the session (other mechanisms: of the document's publication).", int),
    Filter("response", "Response", "supported, noted, partially supported, pending, unknown.", mechanisms=False),
    Filter("action", "Action category", "Action category (1-5).", int, mechanisms=False),
    Filter("issue", "Issue", "UPR Info issue name (other mechanisms: through its OHCHR themes)."),
    Filter("theme", "Theme", "OHCHR theme (code or name)."),
    Filter("sdg", "SDG target", "SDG target (16.2) or goal (SDG 16), as a source labelled it."),
    Filter("body", "UN mechanism", "UN mechanism: UPR (the default), a committee (CAT, CRC, ...), "
           "'special procedures' or a mechanism's name.", catalog=False),
)

FACET_FILTERS: tuple[str, ...] = tuple(f.name for f in FILTERS if f.catalog)  # counted from the catalog
INT_FILTERS: tuple[str, ...] = tuple(f.name for f in FILTERS if f.kind is int)
# Filters that mean nothing for other UN mechanisms' records: a search of them with one is refused (400),
# and the search page's mechanism facet leaves them out of its links.
UPR_ONLY_FILTERS: tuple[str, ...] = tuple(f.name for f in FILTERS if not f.mechanisms)
FILTER_TITLES: dict[str, str] = {f.name: f.title for f in FILTERS}
