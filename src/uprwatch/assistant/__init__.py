"""uprwatch for AI assistants: a Model Context Protocol (MCP) server over the existing services.

- ``citations``: the verbatim, sourced shape of a recommendation every tool answers with.
- ``tools``: plain functions, one per tool (search, one recommendation, firsts, profile, pair, calendar,
  coverage, a member's campaigns / assessments / events); they take the caller (a user or anonymous)
  and return JSON-ready dicts, raising ``uprwatch.errors`` for bad arguments.
- ``server``: the MCP server (official ``mcp`` SDK) that exposes those functions as tools.
- ``bridge``: runs the SDK's streamable-HTTP app inside the WSGI server, for ``/mcp/``.

``uprwatch mcp`` serves it over stdio; ``uprwatch serve`` over HTTP at ``/mcp/``.
"""
