"""The MCP server: uprwatch's tools for AI assistants, built on the official SDK (``mcp`` on PyPI).

Each tool is a thin wrapper over ``uprwatch.assistant.tools``: it works out who is calling, calls the
plain function, and turns uprwatch's user errors into MCP tool errors (``isError`` with the message) so
that a bad argument never crashes the server. The SDK runs these synchronous functions in worker
threads, where Django's ORM may be used.

Who is calling: over HTTP, the ``Authorization: Bearer <token>`` header of the request (an uprwatch API
token; none means anonymous, a wrong one is an error); over stdio, the token given to ``uprwatch mcp``
(``--token`` or ``UPRWATCH_TOKEN``), checked once at start-up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.db import close_old_connections
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from uprwatch import __version__
from uprwatch.assistant import tools
from uprwatch.assistant.citations import base_url
from uprwatch.errors import UserError

INSTRUCTIONS = (
    "uprwatch holds the UN Universal Periodic Review's recommendations (who recommended what to which State "
    "under Review, in which session and cycle, and how the state responded), their lineage across cycles, the "
    "review calendar, and civil society's implementation tracking. Quote recommendations verbatim from the "
    "'text' field and cite them with their state, session, year, document symbol and paragraph where given, "
    "and 'url'. Never paraphrase a recommendation as if it were a quotation. Lists are paged: 'total' says how "
    "many there are; use 'offset' or narrower filters for more."
)

Limit = Annotated[int, Field(ge=1, le=tools.MAX_LIMIT, description=f"Results per page (1-{tools.MAX_LIMIT}).")]
Offset = Annotated[int, Field(ge=0, description="Where the page starts (see next_offset in the answer).")]

_process_caller: Any = None  # stdio: the user of the token `uprwatch mcp` was started with


def set_process_caller(user) -> None:
    """The caller of every stdio request (the user of ``uprwatch mcp --token``; anonymous without one)."""
    global _process_caller
    _process_caller = user


def _request(ctx: Context | None):
    try:
        return ctx.request_context.request if ctx is not None else None
    except ValueError:  # no request in progress (a direct call in tests)
        return None


def _caller(ctx: Context | None):
    request = _request(ctx)
    headers = getattr(request, "headers", None)
    if headers is None:
        return _process_caller or AnonymousUser()
    header = headers.get("authorization", "")
    if not header:
        return AnonymousUser()
    from uprwatch.tracking.organisations import user_for_token

    scheme, _, key = header.partition(" ")
    user = user_for_token(key.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ToolError("invalid or revoked token: send 'Authorization: Bearer <uprwatch API token>', or none")
    return user


def _url_base(ctx: Context | None) -> str:
    url = getattr(_request(ctx), "url", None)
    return base_url(url.netloc, url.scheme) if url is not None else base_url()


def _tool(function: Callable[..., dict]) -> Callable[..., dict]:
    """Run a tool body with the caller and address resolved; user errors become tool errors."""

    @functools.wraps(function)
    def run(ctx: Context | None, **arguments: Any) -> dict:
        close_old_connections()  # a worker thread's connection may be stale (CONN_MAX_AGE, a restart)
        try:
            return function(_caller(ctx), _url_base(ctx), **arguments)
        except UserError as exc:  # every user-caused error (unknown state, bad query) is one of these
            raise ToolError(str(exc).strip("'\"")) from None
        finally:
            close_old_connections()

    return run


def build_server() -> MCPServer:
    """A new MCP server with every uprwatch tool registered."""
    server = MCPServer("uprwatch", title="uprwatch: UN Universal Periodic Review", version=__version__,
                       instructions=INSTRUCTIONS)
    search_impl = _tool(tools.search_recommendations)
    recommendation_impl = _tool(tools.get_recommendation)
    firsts_impl = _tool(tools.firsts)
    profile_impl = _tool(tools.state_profile)
    pair_impl = _tool(tools.pair)
    calendar_impl = _tool(tools.state_calendar)
    upcoming_impl = _tool(tools.upcoming)
    coverage_impl = _tool(tools.coverage)
    campaigns_impl = _tool(tools.list_campaigns)
    campaign_impl = _tool(tools.get_campaign)
    assessments_impl = _tool(tools.list_assessments)
    events_impl = _tool(tools.list_events)
    whoami_impl = _tool(tools.whoami)

    @server.tool()
    def search_recommendations(
        ctx: Context,
        q: Annotated[str, Field(description="Words to find (ANDed). Syntax: OR, -word or NOT word, \"a phrase\", "
                                            "prefix*, exact: to turn stemming off. Empty lists by the filters alone.")] = "",
        sur: Annotated[list[str], Field(description="State(s) under Review, any name or alias (ORed).")] = [],  # noqa: B006
        by: Annotated[list[str], Field(description="Recommending state(s), any name or alias (ORed).")] = [],  # noqa: B006
        cycle: Annotated[list[int], Field(description="UPR cycle(s), 1-5.")] = [],  # noqa: B006
        session: Annotated[list[int], Field(description="Working Group session number(s).")] = [],  # noqa: B006
        year: Annotated[list[int], Field(description="Year(s) of the review.")] = [],  # noqa: B006
        response: Annotated[list[str], Field(description="supported, noted, partially supported, pending, unknown.")] = [],  # noqa: B006
        issue: Annotated[list[str], Field(description="UPR Info issue name(s), e.g. 'Asylum-seekers - refugees'.")] = [],  # noqa: B006
        theme: Annotated[list[str], Field(description="OHCHR theme code(s) or name(s), e.g. G5.")] = [],  # noqa: B006
        sur_group: Annotated[list[str], Field(description="Regional group of the State under Review.")] = [],  # noqa: B006
        by_group: Annotated[list[str], Field(description="Regional group of the recommending state.")] = [],  # noqa: B006
        action: Annotated[list[int], Field(description="UPR Info action category, 1 (minimal) to 5 (specific).")] = [],  # noqa: B006
        body: Annotated[list[str], Field(description="UN mechanism: none means the UPR; CAT, CRC, CEDAW... (a treaty "
                        "body under either name) or 'special procedures' return those mechanisms' recommendations "
                        "and observations, when loaded (uprwatch sync uhri).")] = [],  # noqa: B006
        mode: Annotated[Literal["text", "semantic", "hybrid"], Field(description="text: word matches; semantic: "
                        "closest in meaning; hybrid: both, fused.")] = "text",
        sort: Literal["relevance", "session", "-session", "state"] = "relevance",
        limit: Limit = tools.DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """Search UPR recommendations with the same query syntax and filters as uprwatch's API
        (GET /api/recommendations). Use it to find what was recommended on a topic, to a state (sur) or by
        a state (by), in a cycle or session, and how the State under Review responded. Every result is a
        citation: the verbatim text, State under Review, recommending states, session, cycle, year, document
        symbol and paragraph where known, response with its source, and the uprwatch URL. 'total' counts all
        matches; 'narrow_by' gives counts by state, cycle, response and issue to narrow a broad question."""
        filters = {"sur": sur, "by": by, "cycle": cycle, "session": session, "year": year, "response": response,
                   "issue": issue, "theme": theme, "sur_group": sur_group, "by_group": by_group, "action": action,
                   "body": body}
        return search_impl(ctx, query=q, filters=filters, mode=mode, sort=sort, limit=limit, offset=offset)

    @server.tool()
    def get_recommendation(
        ctx: Context, id: Annotated[int, Field(description="The recommendation's id (from a search result).")],
    ) -> dict:
        """One recommendation in full: the citation (verbatim text, states, session, cycle, year, document
        symbols and paragraph, response and where it came from, every source it was read from), its lineage
        (earlier-cycle recommendations it repeats and later ones that repeat it, with similarity scores), the
        State under Review's own response, and the implementation assessments the caller may see."""
        return recommendation_impl(ctx, recommendation_id=id)

    @server.tool()
    def first_raised(
        ctx: Context,
        q: Annotated[str, Field(description="The point, in search syntax (e.g. refoulement).")],
        sur: Annotated[list[str], Field(description="State(s) under Review.")] = [],  # noqa: B006
        by: Annotated[list[str], Field(description="Recommending state(s).")] = [],  # noqa: B006
        limit: Limit = tools.DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """Who raised a point first: 'first' lists the matching recommendations of the earliest session, and
        'by_state' each recommending state's first matching recommendation in the order they raised it (paged).
        Use it for 'who raised this before, and when?'."""
        return firsts_impl(ctx, query=q, filters={"sur": sur, "by": by}, limit=limit, offset=offset)

    @server.tool()
    def state_profile(ctx: Context, state: Annotated[str, Field(description="Any name or alias of a state.")]) -> dict:
        """A state's UPR profile: recommendations received per cycle with supported / noted counts and support
        rate, its top issues and the states recommending to it most, and the same as a recommending state."""
        return profile_impl(ctx, state=state)

    @server.tool()
    def pair(
        ctx: Context,
        recommender: Annotated[str, Field(description="The recommending state.")],
        reviewed: Annotated[str, Field(description="The State under Review.")],
        limit: Limit = tools.DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """Every recommendation one state made to another across cycles: totals, responses and support rate,
        by cycle and by issue, and the recommendations themselves as citations (paged)."""
        return pair_impl(ctx, recommender=recommender, reviewed=reviewed, limit=limit, offset=offset)

    @server.tool()
    def state_calendar(ctx: Context, state: Annotated[str, Field(description="Any name or alias of a state.")]) -> dict:
        """When a state is reviewed: its reviews in cycles 1-5 (session, dates, whether official, derived or
        projected) and the deadlines of its next review (stakeholder submissions, national report)."""
        return calendar_impl(ctx, state=state)

    @server.tool()
    def upcoming_deadlines(
        ctx: Context,
        days: Annotated[int, Field(ge=0, le=3650, description="How many days ahead.")] = 120,
        state: Annotated[str | None, Field(description="Only this state (any alias).")] = None,
        limit: Limit = tools.MAX_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """UPR deadlines due within the next days, soonest first: stakeholder submissions, national reports,
        reviews and mid-term report windows, each with its date, whether official or estimated, and its source."""
        return upcoming_impl(ctx, days=days, state=state, limit=limit, offset=offset)

    @server.tool()
    def coverage(
        ctx: Context, state: Annotated[str | None, Field(description="One state (any alias); none for the summary.")] = None,
    ) -> dict:
        """Which UPR cycles uprwatch holds, and from which sources. Ask this before concluding that nobody raised
        a point in a cycle: a cycle that is 'not loaded' means uprwatch has no data for it, not that nothing was
        recommended. With a state: each of its reviews (cycle, session, year) with the number of
        recommendations, the sources and the last sync; without: per cycle, which states are covered."""
        return coverage_impl(ctx, state=state)

    @server.tool()
    def list_campaigns(ctx: Context, limit: Limit = tools.DEFAULT_LIMIT, offset: Offset = 0) -> dict:
        """Campaigns (followed sets of recommendations) the caller may see: published ones, and with a member's
        token that organisation's private ones. Nothing private of any other organisation."""
        return campaigns_impl(ctx, limit=limit, offset=offset)

    @server.tool()
    def get_campaign(
        ctx: Context,
        id: Annotated[int, Field(description="The campaign's id.")],
        limit: Limit = tools.DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """One campaign the caller may see: its saved search and the recommendations it follows (citations,
        paged), each with the implementation assessments the caller may see."""
        return campaign_impl(ctx, campaign_id=id, limit=limit, offset=offset)

    @server.tool()
    def list_assessments(
        ctx: Context,
        recommendation_id: Annotated[int | None, Field(description="Only assessments of this recommendation.")] = None,
        organisation: Annotated[str | None, Field(description="Only this organisation's (its slug).")] = None,
        limit: Limit = tools.DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """Civil society's implementation assessments (status, rationale, evidence) the caller may see, each with
        the recommendation it assesses as a citation: published ones, plus a member's own organisation's."""
        return assessments_impl(ctx, recommendation_id=recommendation_id, organisation=organisation, limit=limit,
                                offset=offset)

    @server.tool()
    def list_events(
        ctx: Context,
        state: Annotated[str | None, Field(description="Only events concerning this state.")] = None,
        recommendation_id: Annotated[int | None, Field(description="Only events linked to this recommendation.")] = None,
        limit: Limit = tools.DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict:
        """Documented events (e.g. reported forced repatriations) the caller may see, with their sources and
        evidence: published ones, plus a member's own organisation's."""
        return events_impl(ctx, state=state, recommendation_id=recommendation_id, limit=limit, offset=offset)

    @server.tool()
    def whoami(ctx: Context) -> dict:
        """Whether the caller is signed in (by API token) and which organisations' private data that opens."""
        return whoami_impl(ctx)

    return server
