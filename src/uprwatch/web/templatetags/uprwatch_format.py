"""Template filters that keep words and numbers the same on every page: ``{% load uprwatch_format %}``."""

from __future__ import annotations

from django import template

from uprwatch.records.models import ACTION_CATEGORIES

register = template.Library()


@register.filter
def action_label(value) -> str:
    """An action category as words: ``4`` → "general action" (the legend explains the scale)."""
    try:
        return ACTION_CATEGORIES.get(int(value), str(value))
    except (TypeError, ValueError):
        return str(value or "")


@register.filter
def day(value) -> str:
    """A date (or an ISO date string from an API-shaped dict) in the site's one date format."""
    import datetime as dt

    from django.utils.formats import date_format

    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    return "" if value is None else str(value)
