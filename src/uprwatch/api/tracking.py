"""API endpoints for tracking."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["tracking"])
