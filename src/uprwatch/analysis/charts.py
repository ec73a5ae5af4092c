"""Vega-Lite specifications for the profile page. Every chart's numbers are also shown as a table."""

from __future__ import annotations

from uprwatch.ui.charts import RESPONSE_COLOURS

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
RESPONSE_FIELDS = [("supported", "supported"), ("partially supported", "partially_supported"), ("noted", "noted"),
                   ("pending or unknown", "other")]


def responses_by(rows: list[dict], key: str, title: str, description: str) -> dict:
    """Stacked bars of responses for each row (a cycle, an action category, ...)."""
    values = [
        {key: str(row[key]), "response": response, "count": row[field]}
        for row in rows
        for response, field in RESPONSE_FIELDS
        if row.get(field)
    ]
    scale = {"domain": RESPONSE_COLOURS["domain"][:3] + ["pending or unknown"],
             "range": RESPONSE_COLOURS["range"][:3] + ["#8a94a6"]}
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": 180,
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": key, "type": "ordinal", "title": title, "sort": None},
            "y": {"field": "count", "type": "quantitative", "title": "recommendations"},
            "color": {"field": "response", "type": "nominal", "scale": scale},
            "tooltip": [{"field": key}, {"field": "response"}, {"field": "count"}],
        },
    }


def issues_over_time(rows: list[dict], issues: list[str]) -> dict:
    """Heat map: recommendations per issue (the top ones) and cycle."""
    wanted = set(issues)
    return {
        "$schema": SCHEMA,
        "description": "Recommendations per issue and cycle",
        "width": "container",
        "data": {"values": [r for r in rows if r["issue"] in wanted]},
        "mark": "rect",
        "encoding": {
            "x": {"field": "cycle", "type": "ordinal", "title": "cycle"},
            "y": {"field": "issue", "type": "nominal", "title": None, "sort": issues},
            "color": {"field": "count", "type": "quantitative", "title": "recommendations"},
            "tooltip": [{"field": "issue"}, {"field": "cycle"}, {"field": "count"}],
        },
    }
