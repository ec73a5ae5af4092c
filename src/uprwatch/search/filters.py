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


FILTERS: tuple[Filter, ...] = (
    Filter("sur", "State under Review", "State under Review (any alias; repeat to OR)."),
    Filter("by", "Recommending state", "Recommending state (any alias; repeat to OR)."),
    Filter("sur_group", "Regional group of the State under Review", "Regional group of the State under Review."),
    Filter("by_group", "Recommending regional group", "Regional group of the recommending state."),
    Filter("sur_bloc", "Organisation of the State under Review", "Organisation of the State under Review (EU, OIC, ...)."),
    Filter("by_bloc", "Recommending organisation", "Organisation of the recommending state."),
    Filter("cycle", "Cycle", "UPR cycle (1-4).", int),
    Filter("session", "Session", "Working Group session number.", int),
    Filter("year", "Year", "Year of the session.", int),
    Filter("response", "Response", "supported, noted, partially supported, pending, unknown."),
    Filter("action", "Action category", "Action category (1-5).", int),
    Filter("issue", "Issue", "UPR Info issue name."),
    Filter("theme", "Theme", "OHCHR theme (code or name)."),
    Filter("sdg", "SDG target", "SDG target (16.2) or goal (SDG 16), as a source labelled it."),
    Filter("body", "UN mechanism", "UN mechanism: UPR (the default), a committee (CAT, CRC, ...), "
           "'special procedures' or a mechanism's name.", catalog=False),
)

FACET_FILTERS: tuple[str, ...] = tuple(f.name for f in FILTERS if f.catalog)  # counted from the catalog
INT_FILTERS: tuple[str, ...] = tuple(f.name for f in FILTERS if f.kind is int)
FILTER_TITLES: dict[str, str] = {f.name: f.title for f in FILTERS}
