"""`uprwatch sync upr-info`: UPR Info's live database (Uwazi API) against a local server speaking its format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db.models import Count
from source_servers import STATE_TEMPLATE, UwaziServer, upr_info_entity

from uprwatch.cli import main
from uprwatch.records.models import Document, Label, Provenance, Recommendation, Response
from uprwatch.sources import uwazi
from uprwatch.sources.upr_info import sync_upr_info

NON_REFOULEMENT = ("Respect the principle of non-refoulement and refrain from forcibly returning escapees from the "
                   "Democratic People's Republic of Korea")


def china_entities(count: int, start: int = 0, **kw) -> list[dict]:
    responses = ["Supported", "Noted", "Not Supported"]
    return [
        upr_info_entity(
            f"rec{n:05d}", sur="China", by=["Republic of Korea"] if n % 2 else ["Germany", "France"],
            text=f"Recommendation number {n} on the protection of human rights defenders in region {n}",
            response=responses[n % 3], issues=["Human rights defenders", "Freedom of expression"] if n % 2 else [],
            created=1_706_000_000_000 + n, **kw,
        )
        for n in range(start, start + count)
    ]


@pytest.fixture
def home(settings, tmp_path):
    settings.HOME = tmp_path
    settings.UPRWATCH_UPR_INFO_PAUSE_SECONDS = 0
    settings.UPRWATCH_SOURCES_BACKOFF_SECONDS = 0
    return tmp_path


@pytest.fixture
def server(home, settings):
    with UwaziServer(china_entities(250)) as running:
        settings.UPRWATCH_UPR_INFO_URL = running.url
        yield running


def snapshot() -> tuple:
    return (Recommendation.objects.count(), Provenance.objects.count(), Label.objects.count(),
            Document.objects.count(), sorted(Recommendation.objects.values_list("response").distinct()))


def test_pages_to_the_end_politely_and_maps_upr_info(db, server):
    report = sync_upr_info(page_size=100)
    assert (report.pages, report.added, report.updated, report.merged, report.unrecognised) == (3, 250, 0, 0, {})
    # three full pages, then the empty one that ends the pass (after the one-request probe)
    assert server.page_offsets() == [0, 100, 200, 300]
    for request in server.requests:
        assert "uprwatch" in request["headers"]["User-Agent"]
        assert request["headers"]["Accept-Language"] == "en"
        assert "language" not in request["query"]
    assert json.loads(server.search_requests()[1]["query"]["types"]) == [uwazi_template()]
    recs = Recommendation.objects.filter(review__state__iso3="CHN", review__session_id=45)
    assert recs.count() == 250
    counts = dict(recs.values_list("response").annotate(n=Count("id")).order_by())
    assert counts == {"supported": 84, "noted": 83, "not supported": 83}
    one = recs.get(text__contains="Recommendation number 5 on")
    assert one.response == Response.NOT_SUPPORTED and one.action_category == 5
    assert [s.iso3 for s in one.recommending_states.all()] == ["KOR"]
    assert sorted(label.term.name for label in one.labels.all()) == ["Freedom of expression", "Human rights defenders"]
    source = one.source_records.get()
    assert source.source == "upr-info" and source.url == f"{server.url}/entity/rec00005"
    assert source.response == "not supported"


def uwazi_template() -> str:
    from uprwatch.sources.upr_info import RECOMMENDATION_TEMPLATE

    return RECOMMENDATION_TEMPLATE


def test_sessions_cycles_and_the_unknown_session(db, home, settings):
    entities = [
        upr_info_entity("a", sur="China", by=["Japan"], text="Abolish the death penalty for non-violent crimes now",
                        session="Unknown session", cycle="Cycle 3", response="Noted"),
        upr_info_entity("b", sur="China", by=["Japan"], text="Ratify the International Covenant on Civil and Political Rights",
                        session="4 - February 2009", cycle="Cycle 1", response=None, action="4 - General action"),
        upr_info_entity("c", sur="Narnia", by=["Japan"], text="Something addressed to a state that does not exist"),
        upr_info_entity("d", sur="China", by=["Japan"], text="A recommendation with a session label nobody knows",
                        session="Session forty-five"),
        {"_id": "s", "sharedId": "state-china", "template": STATE_TEMPLATE, "metadata": {}, "creationDate": 1},
    ]
    with UwaziServer(entities) as server:
        settings.UPRWATCH_UPR_INFO_URL = server.url
        # the state entity is not requested (types filter), but a template the server adds is reported
        report = sync_upr_info()
    assert report.added == 2
    assert report.unrecognised == {"session: Session forty-five": 1, "state under review: Narnia": 1}
    unknown_session = Recommendation.objects.get(text__startswith="Abolish the death penalty for non-violent")
    assert unknown_session.review.session_id == 31  # China's cycle-3 review, by the calendar
    pending = Recommendation.objects.get(text="Ratify the International Covenant on Civil and Political Rights",
                                         review__session_id=4)
    assert pending.response in (Response.PENDING, Response.SUPPORTED, Response.NOTED)  # merged or new


def test_a_changed_schema_is_reported_not_a_crash(db, server):
    server.entities.append(upr_info_entity(
        "new1", sur="China", by=["Japan"], text="Guarantee the right to a fair trial for every detained lawyer of the 709 crackdown",
        extra={"sdg_target": [{"value": "16.3", "label": "16.3"}]}, response="Partially accepted",
        created=1_800_000_000_000))
    server.properties.append("sdg_target")
    # a value given without its label is read from the thesauri
    server.entities[1]["metadata"]["response"] = [{"value": "resp-ns"}]
    report = sync_upr_info()
    assert report.unrecognised == {"field: sdg_target": 1, "response: Partially accepted": 1,
                                   "template property: sdg_target": 1}
    assert Recommendation.objects.get(source_records__record_id="rec00001").response == "not supported"
    assert Recommendation.objects.get(text__endswith="lawyer of the 709 crackdown").response == "unknown"
    assert report.added == 251


def test_resume_after_an_interruption_fetches_only_the_rest(db, server):
    before = snapshot()

    def killed_after_two_pages(current):
        if current.pages_total == 2:
            raise KeyboardInterrupt  # as a kill: nothing after this point runs

    with pytest.raises(KeyboardInterrupt):
        sync_upr_info(page_size=100, on_progress=killed_after_two_pages)
    assert snapshot() == before  # pages are on disk, nothing is in the database
    server.requests.clear()
    report = sync_upr_info(page_size=100)
    assert report.resumed_from == 200 and report.pages == 3 and report.added == 250
    assert server.page_offsets() == [200, 300]  # the two pages it had are not asked for again


def test_429_and_5xx_are_retried_with_back_off(db, server, monkeypatch):
    waits: list[float] = []
    server.fail[100] = [429, 503, 502]
    report = sync_upr_info(page_size=100, backoff=0.5, sleep=waits.append)
    assert report.added == 250
    assert waits == [0.0, 1.0, 2.0]  # Retry-After: 0 honoured, then 0.5 doubled per attempt
    assert server.page_offsets() == [0, 100, 100, 100, 100, 200, 300]


def test_a_source_that_keeps_failing_leaves_the_database_unchanged(db, server):
    before = snapshot()
    server.fail[100] = [503] * 10
    with pytest.raises(uwazi.SourceUnreachable, match="HTTP 503"):
        sync_upr_info(page_size=100, sleep=lambda s: None)
    assert snapshot() == before
    from uprwatch.sources.status import read_status

    assert read_status("upr-info")["state"] == "failed" and "503" in read_status("upr-info")["error"]


def test_garbage_answer_is_a_one_line_error_and_changes_nothing(db, server):
    before = snapshot()
    server.garbage_from = 100
    result = CliRunner().invoke(main, ["sync", "upr-info", "--json"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "HTML page" in lines[0], result.output
    assert "database unchanged" in lines[0]
    assert snapshot() == before


def test_an_unchanged_source_costs_one_conditional_request(db, server):
    first = sync_upr_info(page_size=100)
    assert first.added == 250
    server.requests.clear()
    again = sync_upr_info(page_size=100)
    assert again.status == "unchanged" and again.requests == 1
    assert len(server.requests) == 1
    assert server.requests[0]["headers"].get("If-None-Match")  # answered 304 by the server
    # an edit is seen: the newest entity changed
    server.entities[0]["editDate"] = 1_900_000_000_000
    server.entities[0]["metadata"]["response"] = [{"value": "x", "label": "Supported"}]
    changed = sync_upr_info(page_size=100)
    assert changed.status == "synced" and changed.updated == 1 and changed.unchanged == 249


def test_since_reads_only_recent_edits_newest_first(db, server):
    for index, entity in enumerate(server.entities):
        entity["editDate"] = int(dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp() * 1000) + index
    for entity in server.entities[:5]:
        entity["editDate"] = int(dt.datetime(2025, 6, 1, tzinfo=dt.UTC).timestamp() * 1000)
    report = sync_upr_info(since=dt.date(2025, 1, 1), page_size=100)
    assert report.added == 5 and report.pages == 1
    assert server.page_offsets() == [0]  # the first page already reached older edits: no more pages
    assert server.search_requests()[-1]["query"]["sort"] == "editDate"


def test_merges_with_upr_info_rows_already_held_and_takes_upr_infos_own_correction(db, home, settings):
    bundled = (Recommendation.objects.filter(review__state__iso3="CHN", review__session_id=17, response="supported")
               .exclude(provenance__dataset="").order_by("id").first())
    by = bundled.recommending_states.get()
    entity = upr_info_entity("live-1", sur="China", by=[by.name], text=bundled.text, response="Noted",
                             session="17 - October 2013", cycle="Cycle 2", action="4 - General action")
    with UwaziServer([entity]) as server:
        settings.UPRWATCH_UPR_INFO_URL = server.url
        report = sync_upr_info()
    assert (report.added, report.merged) == (0, 1)
    bundled.refresh_from_db()
    # the 2014 export and the live database are the same source: its later answer is its correction
    assert bundled.response == "noted" and bundled.response_source == "UPR Info database"
    assert bundled.provenance.count() == 2 and bundled.source_records.get().record_id == "live-1"


def test_a_disagreement_with_an_official_document_is_kept_and_shown(db, home, settings):
    from source_servers import DocumentsServer

    from uprwatch.sources.merge import disagreements
    from uprwatch.sources.un_documents import fetch_documents

    shared = Path("/work/shared/data/un-documents/slovenia/cycle4")
    shared = shared if shared.exists() else Path(__file__).resolve().parents[2] / "shared/data/un-documents/slovenia/cycle4"
    with DocumentsServer({"A/HRC/59/15": (shared / "g2502644.pdf").read_bytes(),
                          "A/HRC/59/15/Add.1": (shared / "g2505828.pdf").read_bytes()}) as documents:
        settings.UPRWATCH_UN_DOCUMENTS_URL = documents.url
        fetch_documents(["A/HRC/59/15", "A/HRC/59/15/Add.1"])
    official = (Recommendation.objects.filter(review__state__iso3="SVN", review__session_id=48, response="supported")
                .order_by("paragraph").first())
    states = [s.name for s in official.recommending_states.all()]
    entity = upr_info_entity("svn-1", sur="Slovenia", by=states, text=official.text, response="Not Supported",
                             session="48 - January 2025", cycle="Cycle 4")
    with UwaziServer([entity]) as server:
        settings.UPRWATCH_UPR_INFO_URL = server.url
        report = sync_upr_info()
    assert (report.added, report.merged) == (0, 1)
    official.refresh_from_db()
    assert official.response == "supported"  # another source's answer is never overwritten
    assert {(p.source, p.response) for p in disagreements(official)} == {
        ("A/HRC/59/15/Add.1", "supported"), ("UPR Info database", "not supported")}
    sources = set(official.provenance.values_list("dataset", flat=True))
    assert "UPR Info database" in sources and official.provenance.filter(document__symbol="A/HRC/59/15").exists()


def test_not_supported_counts_as_noted_in_figures(db, server):
    from uprwatch.analysis.profiles import state_profile
    from uprwatch.records.lookup import find_state
    from uprwatch.records.stats import dataset_stats

    before = dataset_stats()
    sync_upr_info(page_size=100)
    after = dataset_stats()
    assert after["not_supported"] == 83
    assert after["noted"] - before["noted"] == 83 + 83  # noted and not supported
    china = state_profile(find_state("China"))
    cycle4 = next(row for row in china["as_reviewed"]["by_cycle"] if row["cycle"] == 4)
    assert cycle4["noted"] >= 166 and cycle4["other"] == cycle4["total"] - cycle4["supported"] - \
        cycle4["partially_supported"] - cycle4["noted"]


def test_after_a_sync_the_campaign_hears_of_the_new_recommendation(db, server, coalition,
                                                                   django_capture_on_commit_callbacks):
    """A coalition hears about the new recommendation to China on non-refoulement without looking.

    (The sync's commit refreshes the search catalogue; inside a test's transaction that is its on-commit
    callbacks, run here before the alerts. tests/test_sources_live.py runs the same with real commits.)"""
    from uprwatch.sources.runner import run_sources, send_alerts
    from uprwatch.tracking import campaigns
    from uprwatch.tracking.models import Notification

    campaign = campaigns.create_campaign(coalition.bob, coalition.org, name="Escapees in China",
                                         query="q=refoulement&sur=China")
    server.entities.append(upr_info_entity("kor-45", sur="China", by=["Republic of Korea"], text=NON_REFOULEMENT,
                                           response=None, issues=["Asylum-seekers - refugees"],
                                           created=1_800_000_000_000))
    with django_capture_on_commit_callbacks(execute=True):
        result = run_sources(["upr-info"], alerts=False)
    assert result["sources"]["upr-info"]["added"] == 251
    assert send_alerts()["match_notifications"] == 2  # Alice and Bob, members of the coalition
    new = Recommendation.objects.get(text=NON_REFOULEMENT)
    assert new.response == "pending" and new.review.session_id == 45
    for person in (coalition.alice, coalition.bob):
        note = Notification.objects.get(user=person, campaign=campaign)
        assert note.recommendation_ids == [new.pk]
    assert not Notification.objects.filter(user=coalition.charlie).exists()
    # the next sync finds nothing new: no second alert
    again = run_sources(["upr-info"])
    assert again["sources"]["upr-info"]["status"] == "unchanged" and again["alerts"]["match_notifications"] == 0


def test_sync_runs_the_sources_in_turn_and_reports_each(db, server, settings):
    settings.UPRWATCH_UHRI_EXPORT_URL = server.url + "/no-such-export.json"  # answers 404
    result = CliRunner().invoke(main, ["sync", "--sources", "uhri,upr-info", "--json"])
    assert result.exit_code == 1  # one source failed
    data = json.loads(result.output)
    assert "404" in data["sources"]["uhri"]["error"]
    assert data["sources"]["upr-info"]["added"] == 250  # the next source still ran
    bad = CliRunner().invoke(main, ["sync", "--sources", "uhri,nowhere"])
    assert bad.exit_code == 2 and "unknown source(s) nowhere" in bad.output


def test_cli_json_keys_and_since(db, server):
    result = CliRunner().invoke(main, ["sync", "upr-info", "--since", "2020-01-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"added", "updated", "unchanged", "merged", "pages", "unrecognised"} <= data.keys()
    assert data["since"] == "2020-01-01" and data["added"] == 250
    bad = CliRunner().invoke(main, ["sync", "upr-info", "--since", "last tuesday"])
    assert bad.exit_code == 2 and "last tuesday" in bad.output
