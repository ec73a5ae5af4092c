"""API endpoints for analysis."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analysis"])
