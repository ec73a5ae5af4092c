"""Accuracy of the Working Group report parser against UPR Info's hand-coded rows.

For each report in ../shared/data/un-documents/wg-reports-2008-2014, the parsed (recommendation,
recommending state) pairs are matched one-to-one with UPR Info's rows for the same State under
Review and session (same state, best text similarity first, similarity >= 0.9). Prints one JSON
object: per document and overall recall, precision, mean similarity of matches, and the agreement of
responses on matched pairs where the document itself carries a response (supported / noted).

    .venv/bin/python benchmarks/parse_eval.py [--limit N] [REPORT.pdf ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")

from uprwatch.documents.extraction import DocumentError  # noqa: E402
from uprwatch.documents.parsing import parse_document  # noqa: E402
from uprwatch.documents.similarity import text_similarity  # noqa: E402
from uprwatch.records import upr_info  # noqa: E402

REPORTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "un-documents" / "wg-reports-2008-2014"
THRESHOLD = 0.9


def upr_info_rows() -> dict[tuple[str, int], list[dict]]:
    rows = defaultdict(list)
    for row in upr_info.read_any(upr_info.RECOMMENDATIONS_BUNDLE):
        rows[(row["sur"], row["session"])].append(row)
    return rows


def match_pairs(parsed_pairs: list[tuple], reference_pairs: list[tuple]) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching within each recommending state, best similarity first."""
    by_state = defaultdict(list)
    for j, (_, state, _) in enumerate(reference_pairs):
        by_state[state].append(j)
    candidates = []
    for i, (text, state, _) in enumerate(parsed_pairs):
        for j in by_state.get(state, []):
            score = text_similarity(text, reference_pairs[j][0])
            if score >= THRESHOLD:
                candidates.append((score, i, j))
    candidates.sort(reverse=True)
    used_i, used_j, matches = set(), set(), []
    for score, i, j in candidates:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            matches.append((i, j, score))
    return matches


def evaluate(path: Path, reference: dict) -> dict:
    started = time.perf_counter()
    try:
        parsed = parse_document(path)
    except DocumentError as exc:
        return {"document": path.name, "error": str(exc)}
    seconds = time.perf_counter() - started
    rows = reference.get((parsed.state_under_review, parsed.session), [])
    parsed_pairs = [(r.text, state, r.response) for r in parsed.recommendations for state in r.recommending_states]
    reference_pairs = [(row["text"], state, row["response"]) for row in rows for state in row["by"]]
    matches = match_pairs(parsed_pairs, reference_pairs)
    with_response = [(i, j) for i, j, _ in matches if parsed_pairs[i][2] in ("supported", "noted")]
    agree = sum(1 for i, j in with_response if parsed_pairs[i][2] == reference_pairs[j][2])
    return {
        "document": path.name,
        "symbol": parsed.symbol,
        "state_under_review": parsed.state_under_review,
        "session": parsed.session,
        "seconds": round(seconds, 3),
        "parsed_pairs": len(parsed_pairs),
        "upr_info_pairs": len(reference_pairs),
        "matched": len(matches),
        "recall": round(len(matches) / len(reference_pairs), 4) if reference_pairs else None,
        "precision": round(len(matches) / len(parsed_pairs), 4) if parsed_pairs else None,
        "mean_similarity": round(sum(s for *_, s in matches) / len(matches), 4) if matches else None,
        "responses_compared": len(with_response),
        "response_agreement": round(agree / len(with_response), 4) if with_response else None,
        "_sums": (len(matches), len(reference_pairs), len(parsed_pairs), sum(s for *_, s in matches),
                  len(with_response), agree),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("reports", nargs="*", type=Path)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    paths = args.reports or sorted(REPORTS.glob("*.pdf"))
    if args.limit:
        paths = paths[: args.limit]
    reference = upr_info_rows()
    results = [evaluate(p, reference) for p in paths]
    totals = [0, 0, 0, 0.0, 0, 0]
    for result in results:
        for k, value in enumerate(result.pop("_sums", (0, 0, 0, 0.0, 0, 0))):
            totals[k] += value
    matched, reference_n, parsed_n, similarity, compared, agree = totals
    overall = {
        "documents": len(results),
        "errors": sum(1 for r in results if "error" in r),
        "recall": round(matched / reference_n, 4) if reference_n else None,
        "precision": round(matched / parsed_n, 4) if parsed_n else None,
        "mean_similarity": round(similarity / matched, 4) if matched else None,
        "response_agreement": round(agree / compared, 4) if compared else None,
        "responses_compared": compared,
        "max_seconds": max((r.get("seconds", 0) for r in results), default=0),
    }
    json.dump({"overall": overall, "documents": results}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
