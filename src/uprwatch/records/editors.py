"""Who may correct the reference records by hand: accept or change machine labels, add or reject lineage
links. One rule for every app that offers such an edit (classify's review queue, analysis's lineage)."""

from __future__ import annotations


def can_edit_records(user) -> bool:
    """Staff, or anyone granted ``records.change_label`` (an editor of the shared records)."""
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm("records.change_label")))
