"""Recommendations closest in meaning to one recommendation, within any search filters.

It joins the vectors (``vectors``) with the filter masks of the search service (``service``), so it
sits above both: the vectors module stays free of the service, and no import cycle hides in a function.
"""

from __future__ import annotations

import numpy as np

from uprwatch.records.browse import RecommendationNotFound
from uprwatch.search import catalog as catalog_module
from uprwatch.search.service import SearchParams, _combine, _filter_masks
from uprwatch.search.vectors import matrix_for, scores_for


def similar_to(rec_id: int, k: int = 10, same_sur: bool = False, **filters) -> list[tuple[int, float]]:
    """The ``k`` recommendations closest in meaning to one recommendation: ``[(id, cosine), ...]``.

    ``same_sur`` keeps the same State under Review; ``filters`` are any ``SearchParams`` filters
    (``sur``, ``by``, ``cycle``, ``session``, ...). The recommendation itself is left out.
    Raises ``RecommendationNotFound`` (a ``Recommendation.DoesNotExist``) for an unknown id and ``QueryError`` for bad filters.
    """
    catalog = catalog_module.get_catalog()
    rows = catalog.rows_of(np.asarray([rec_id]))
    if not len(rows):
        raise RecommendationNotFound(rec_id)
    row = int(rows[0])
    matrix = matrix_for(catalog)
    params = SearchParams(**{name: list(v) if isinstance(v, list | tuple) else [v] for name, v in filters.items()})
    mask = _combine(catalog, _filter_masks(catalog, params))
    if same_sur:
        sur = catalog.facets["sur"].codes
        mask &= sur == sur[row]
    mask[row] = False
    candidates = int(mask.sum())
    if not candidates or k <= 0:
        return []
    scores = scores_for(np.asarray(matrix[row], dtype=np.float32), catalog, mask)
    scores[~mask] = -np.inf
    candidates = min(candidates, int(np.isfinite(scores).sum()))
    k = min(k, candidates)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((catalog.ids[top], -scores[top]))]
    return [(int(catalog.ids[i]), float(scores[i])) for i in top]
