"""Grow a uprwatch database to N recommendations for the scale run of ``search_bench.py``.

The real rows are replicated with small text perturbations (a dropped word, two adjacent words
swapped, a trailing copy marker) so the full-text index and the vectors see distinct texts. Only
recommendations, their recommending states and their labels are copied (enough for search).

    UPRWATCH_HOME=/tmp/uh-scale python benchmarks/search_scale.py --rows 300000
"""

from __future__ import annotations

import argparse
import os
import random
import sys


def perturb(text: str, rng: random.Random, copy: int) -> str:
    words = text.split()
    if len(words) > 4:
        i = rng.randrange(1, len(words) - 1)
        if rng.random() < 0.5:
            del words[i]
        else:
            words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words) + f" (copy {copy})"


def grow(rows: int, seed: int = 7) -> int:
    from django.db import transaction

    from uprwatch.records.models import Label, Recommendation

    rng = random.Random(seed)
    originals = list(
        Recommendation.objects.filter(provenance__isnull=False).distinct()  # the real rows, not earlier copies
        .order_by("pk").values_list("pk", "review_id", "text", "response", "action_category", "action_origin")
    )
    by = {}
    for rec_id, state_id in Recommendation.recommending_states.through.objects.values_list("recommendation_id", "state_id"):
        by.setdefault(rec_id, []).append(state_id)
    labels = {}
    for rec_id, term_id, origin in Label.objects.values_list("recommendation_id", "term_id", "origin"):
        labels.setdefault(rec_id, []).append((term_id, origin))
    have = Recommendation.objects.count()
    copy = 0
    through = Recommendation.recommending_states.through
    while have < rows:
        copy += 1
        for start in range(0, len(originals), 5000):
            chunk = originals[start: start + 5000][: rows - have]
            if not chunk:
                break
            with transaction.atomic():
                made = Recommendation.objects.bulk_create(
                    Recommendation(review_id=r[1], text=perturb(r[2], rng, copy), response=r[3], action_category=r[4],
                                   action_origin=r[5])
                    for r in chunk
                )
                through.objects.bulk_create(
                    through(recommendation_id=new.pk, state_id=s) for r, new in zip(chunk, made, strict=True)
                    for s in by.get(r[0], [])
                )
                Label.objects.bulk_create(
                    Label(recommendation_id=new.pk, term_id=t, origin=o) for r, new in zip(chunk, made, strict=True)
                    for t, o in labels.get(r[0], [])
                )
            have += len(chunk)
            print(f"\r{have} recommendations", end="", file=sys.stderr)
    print(file=sys.stderr)
    return have


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()
    print(grow(args.rows))


if __name__ == "__main__":
    main()
