"""Coverage said plainly: per state and cycle what is loaded, from where — and what is not, with the command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from uhri_records import china_export

from uprwatch.cli import main
from uprwatch.sources.uhri_writer import write_json


def coverage(*args):
    result = CliRunner().invoke(main, ["coverage", *args])
    return result


@pytest.mark.django_db
def test_china_before_and_after_a_sync(tmp_path, client):
    result = coverage("--state", "China", "--json")
    assert result.exit_code == 0, result.output
    cycles = {row["cycle"]: row for row in json.loads(result.output)["states"][0]["cycles"]}
    assert cycles[1]["status"] == "loaded" and cycles[1]["sources"] == ["UPR Info database"]
    assert cycles[1]["recommendations"] > 100 and cycles[1]["last_sync"]
    assert cycles[4]["status"] == "not loaded"
    assert cycles[4]["message"] == "Cycle 4 (session 45, 2024): not loaded — run `uprwatch sync uhri`"
    assert cycles[5]["status"] == "not yet held"
    page = client.get("/states/china/").content.decode()
    assert "What uprwatch holds on China" in page
    assert "Cycle 4 (session 45, 2024): not loaded</strong> — run <code>uprwatch sync uhri</code>" in page

    path = tmp_path / "export.json"
    write_json(china_export(), path)
    assert CliRunner().invoke(main, ["sync", "uhri", "--file", str(path)]).exit_code == 0
    cycles = {row["cycle"]: row for row in json.loads(coverage("--state", "People's Republic of China", "--json").output)["states"][0]["cycles"]}
    assert cycles[4]["status"] == "loaded" and cycles[4]["recommendations"] == 2
    assert cycles[4]["sources"] == ["OHCHR Universal Human Rights Index"]
    assert cycles[2]["sources"] == ["OHCHR Universal Human Rights Index", "UPR Info database"]
    page = client.get("/states/china/").content.decode()
    assert "from OHCHR Universal Human Rights Index" in page
    table = coverage("--state", "China")
    assert table.exit_code == 0 and "not loaded" in table.output and "uprwatch sync uhri" in table.output


@pytest.mark.django_db
def test_myanmar_cycle_three_is_said_to_be_missing():
    """UHRI lacks Myanmar's cycle 3 (a known defect): the gap shows, it is not papered over."""
    cycles = {r["cycle"]: r for r in json.loads(coverage("--state", "Myanmar", "--json").output)["states"][0]["cycles"]}
    assert cycles[3]["status"] == "not loaded" and "session 37" in cycles[3]["message"]


@pytest.mark.django_db
def test_home_page_says_which_states_the_cycles_cover(client):
    page = client.get("/").content.decode()
    assert "States covered" in page
    assert "states reviewed so far" in page
    assert "not loaded — run `uprwatch sync uhri`" in page or "not loaded" in page


@pytest.mark.django_db
def test_every_state(tmp_path):
    result = coverage("--json")
    assert result.exit_code == 0
    states = json.loads(result.output)["states"]
    assert len(states) >= 193 and all("cycles" in s for s in states)


@pytest.mark.django_db
def test_unknown_state_is_an_error():
    result = coverage("--state", "Atlantis")
    assert result.exit_code == 1 and "unknown state name" in result.output
