"""Vega-Lite specifications for the pages' charts. Each chart's data is also shown as a table."""

from __future__ import annotations

RESPONSE_COLOURS = {"domain": ["supported", "partially supported", "noted", "pending", "unknown"],
                    "range": ["#1b7f3b", "#6b4fbb", "#a25b00", "#8a94a6", "#c4cad4"]}


def responses_by_session(rows: list[dict]) -> dict:
    values = [
        {"session": row["session"], "response": response, "count": row[response.replace(" ", "_")]}
        for row in rows
        for response in RESPONSE_COLOURS["domain"]
        if row.get(response.replace(" ", "_"))
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": "Recommendations per Working Group session, by response",
        "width": "container",
        "height": 220,
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": "session", "type": "ordinal", "title": "Working Group session"},
            "y": {"field": "count", "type": "quantitative", "title": "recommendations"},
            "color": {"field": "response", "type": "nominal", "scale": RESPONSE_COLOURS},
            "tooltip": [{"field": "session"}, {"field": "response"}, {"field": "count"}],
        },
    }
