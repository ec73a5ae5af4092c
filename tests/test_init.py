"""`uprwatch init` and `uprwatch stats`: idempotence and clear errors on bad input files."""

from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from uprwatch.cli import main
from uprwatch.records.loading import load_bundled_dataset
from uprwatch.records.models import ImportBatch, Recommendation, VoluntaryPledge

HEADER = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\n"
GOOD_ROW = 'Slovenia,EEG,EU,"Ratify the Convention on enforced disappearances",Argentina,GRULAC,,Accepted,5,"Enforced disappearances",34\n'


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _counts() -> tuple[int, int, int]:
    return Recommendation.objects.count(), VoluntaryPledge.objects.count(), ImportBatch.objects.count()


def test_stats_json(db):
    result = _run("stats", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    for key in ("recommendations", "supported", "noted", "states_under_review", "recommending_states", "sessions", "pledges"):
        assert key in figures
    assert figures["recommendations"] == 41066 and figures["pledges"] == 947


@pytest.mark.slow  # two whole inits (~30 s)
def test_init_twice_changes_nothing(db):
    # The test database holds the bundled dataset only; the first run adds the other init steps'
    # data (documents, ...), the second must change nothing.
    result = _run("init")
    assert result.exit_code == 0, result.output
    assert "init finished in" in result.output
    before = _counts()
    result = _run("init")
    assert result.exit_code == 0, result.output
    assert _counts() == before


def test_init_loads_a_upr_info_export(db, tmp_path):
    csv_file = tmp_path / "export.csv"
    csv_file.write_text(HEADER + GOOD_ROW, encoding="utf-8")
    before = Recommendation.objects.count()
    load_bundled_dataset(recommendations=csv_file)
    assert Recommendation.objects.count() == before + 1
    rec = Recommendation.objects.get(review__state__iso3="SVN", review__session_id=34, recommending_states__iso3="ARG")
    assert rec.response == "supported" and rec.review.session.cycle_id == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HEADER + GOOD_ROW + 'Atlantis,EEG,EU,"Do something",Argentina,GRULAC,,Accepted,5,"Other",34\n', "line 3"),
        (HEADER + GOOD_ROW + 'Slovenia,EEG,EU,"Do something",Narnia,GRULAC,,Accepted,5,"Other",34\n', "Narnia"),
        (HEADER.replace("Response", "Answer") + GOOD_ROW, "missing column(s): Response"),
        (HEADER + GOOD_ROW + 'Slovenia,EEG,EU,"Do something",Argentina\n', "line 3"),
        (HEADER + 'Slovenia,EEG,EU,"Do something",Argentina,GRULAC,,Maybe,5,"Other",34\n', "unknown response"),
        (HEADER + 'Slovenia,EEG,EU,"Do something",Argentina,GRULAC,,Noted,9,"Other",34\n', "action category"),
        (HEADER + 'Slovenia,EEG,EU,"Do something",Argentina,GRULAC,,Noted,4,"Other",x\n', "session is not a number"),
        (HEADER + GOOD_ROW + 'Slovenia,EEG,EU,"unterminated quote,Argentina,GRULAC,,Noted,4,"Other",34\n', "line"),
        # SQLite stored the NUL; PostgreSQL refused it with a traceback halfway through the load
        (HEADER + GOOD_ROW + 'Slovenia,EEG,EU,"Do\x00something",Argentina,GRULAC,,Noted,4,"Other",34\n',
         "line 3: NUL character in Text"),
    ],
    ids=["unknown-sur", "unknown-recommender", "wrong-column", "truncated-row", "bad-response", "bad-action",
         "bad-session", "unterminated-quote", "nul-character"],
)
def test_bad_csv_is_refused_and_database_unchanged(db, tmp_path, content, expected):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(content, encoding="utf-8")
    before = _counts()
    result = _run("init", "--recommendations", str(csv_file))
    assert result.exit_code == 1
    assert expected in result.output
    assert "bad.csv" in result.output
    assert "Traceback" not in result.output
    assert _counts() == before


def test_unknown_state_error_names_it(db, tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(HEADER + 'Slovnia,EEG,EU,"Do something",Argentina,GRULAC,,Accepted,5,"Other",34\n', encoding="utf-8")
    result = _run("init", "--recommendations", str(csv_file))
    assert result.exit_code == 1
    assert "'Slovnia'" in result.output and "Slovenia" in result.output  # named, with a suggestion


def test_truncated_bundle_is_refused(db, tmp_path):
    good = gzip.compress(b'{"row": 2, "sur": "SVN", "by": ["ARG"], "text": "x", "response": "noted", "action": 4, "issues": [], "session": 34}\n' * 50)
    bundle = tmp_path / "cut.jsonl.gz"
    bundle.write_bytes(good[: len(good) // 2])
    before = _counts()
    result = _run("init", "--recommendations", str(bundle))
    assert result.exit_code == 1
    assert "cut.jsonl.gz" in result.output
    assert _counts() == before


def test_missing_file(db, tmp_path):
    result = _run("init", "--recommendations", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert "nope.csv" in result.output
