"""uprwatch: the UN Universal Periodic Review as structured, searchable, trackable data."""

__version__ = "0.1.0"
