"""Result rows in the shared shape of ``uprwatch.records.shapes.recommendation_out``, fetched in bulk.

Three flat SQL queries per page instead of model instances and prefetches. The SQL is written once
(plain joins and ``IN`` lists, the same on SQLite and PostgreSQL) rather than compiled by the ORM per
request: compiling three querysets cost more than running them. ``tests/test_search.py`` checks the
shape stays identical to ``recommendation_out``.
"""

from __future__ import annotations

import functools

from django.db import connection

from uprwatch.records.models import Label, Recommendation, Review, Session, State, Term


@functools.cache
def _statements(vendor: str) -> tuple[str, str, str]:
    """The three SELECTs with ``{ids}`` where the id placeholders go (table names from the models)."""
    q = connection.ops.quote_name
    rec, review, state, session = (q(m._meta.db_table) for m in (Recommendation, Review, State, Session))
    through = q(Recommendation.recommending_states.through._meta.db_table)
    label, term = q(Label._meta.db_table), q(Term._meta.db_table)
    session_pk = q(Session._meta.pk.column)
    recommendations = (
        f"SELECT r.id, r.paragraph, r.text, s.name, v.session_id, n.cycle_id, n.year, r.response,"
        f" r.response_source, r.already_implemented, r.action_category, r.action_origin, r.action_confidence"
        f" FROM {rec} r JOIN {review} v ON r.review_id = v.id JOIN {state} s ON v.state_id = s.id"
        f" JOIN {session} n ON v.session_id = n.{session_pk} WHERE r.id IN ({{ids}})"
    )
    states = (
        f"SELECT t.recommendation_id, s.name FROM {through} t JOIN {state} s ON t.state_id = s.id"
        f" WHERE t.recommendation_id IN ({{ids}}) ORDER BY s.name"
    )
    labels = (
        f"SELECT l.recommendation_id, m.taxonomy, m.code, m.name, l.origin, l.confidence, l.model_version"
        f" FROM {label} l JOIN {term} m ON l.term_id = m.id WHERE l.recommendation_id IN ({{ids}}) ORDER BY l.id"
    )
    return recommendations, states, labels


def recommendations_out(ids: list[int]) -> list[dict]:
    """``recommendation_out(rec)`` for each id, in the order given (unknown ids are skipped)."""
    if not ids:
        return []
    ids = [int(pk) for pk in ids]
    unique = sorted(set(ids))
    placeholders = ", ".join(["%s"] * len(unique))
    recommendations_sql, states_sql, labels_sql = (
        sql.format(ids=placeholders) for sql in _statements(connection.vendor)
    )
    with connection.cursor() as cursor:
        cursor.execute(recommendations_sql, unique)
        rows = cursor.fetchall()
        cursor.execute(states_sql, unique)
        states: dict[int, list[str]] = {}
        for rec_id, name in cursor.fetchall():
            states.setdefault(rec_id, []).append(name)
        cursor.execute(labels_sql, unique)
        labels: dict[int, list[dict]] = {}
        for rec_id, taxonomy, code, name, origin, confidence, version in cursor.fetchall():
            labels.setdefault(rec_id, []).append(
                {"taxonomy": taxonomy, "code": code, "name": name, "origin": origin, "confidence": confidence,
                 "model_version": version}
            )
    out: dict[int, dict] = {}
    for (pk, paragraph, text, sur, session, cycle, year, response, source, implemented, action, origin,
         confidence) in rows:
        rec_labels = labels.get(pk, [])
        out[pk] = {
            "id": pk,
            "paragraph": paragraph,
            "text": text,
            "state_under_review": sur,
            "recommending_states": states.get(pk, []),
            "session": session,
            "cycle": cycle,
            "year": year,
            "response": response,
            "response_source": source,
            "already_implemented": bool(implemented),  # SQLite returns 0/1
            "action_category": action,
            "action_origin": origin,
            "action_confidence": confidence,
            "issues": [label["name"] for label in rec_labels if label["taxonomy"] == "issue"],
            "labels": rec_labels,
        }
    return [out[pk] for pk in ids if pk in out]
