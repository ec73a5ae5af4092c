"""The calendar tells the truth (issue 24): real session dates with their evidence, projections from the
Working Group's observed practice (three a year, Monday to Friday of the following week, one slot unused
between cycles, the COVID shift), postponed reviews, deadlines that follow the dates everywhere, iCal updates
and ``uprwatch calendar --check`` against the evidence table."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from types import SimpleNamespace

import icalendar
import pytest
from click.testing import CliRunner
from django.utils.formats import date_format

from uprwatch.calendar import evidence, ical
from uprwatch.calendar.consistency import dates_check
from uprwatch.calendar.evidence import Claim, EvidenceError, read_claims
from uprwatch.calendar.schedule import Schedule, _close_reviews_noted, deadlines_for, reviews_of
from uprwatch.calendar.sessions import (
    observe_practice,
    practice,
    session_dates,
    slot_of,
)
from uprwatch.calendar.sessions_sync import sync_sessions
from uprwatch.cli import main
from uprwatch.records.models import Session, State
from uprwatch.records.states import load_states

pytestmark = pytest.mark.django_db


def _by_cycle(name: str) -> dict:
    return {e.cycle: e for e in reviews_of(name)}


# --- 1. real dates wherever evidence exists ------------------------------------------------------------

def test_sessions_21_to_50_carry_their_documented_dates_with_evidence_and_source():
    table = evidence.evidence_table()
    assert [c.session for c in table] == list(range(21, 51))
    dates = session_dates()
    read_here = {c.session: c for c in evidence.other_claims() if c.evidence == "document"}
    for claim in table:
        held = dates[claim.session]
        assert (held.start, held.end) == (claim.start, claim.end), claim.session
        assert held.rule == ""  # a real date, not a rule's product
        if claim.session in read_here:  # 34, 45, 48: a UN document read by the builder says the same
            assert held.source == read_here[claim.session].source and held.status == "official"
            continue
        assert held.status == ("official" if claim.evidence == "document" else "reported")
        assert held.evidence == claim.evidence and held.source == claim.source
        assert held.source.startswith("http")  # the source address is kept


@pytest.mark.parametrize(("name", "cycle", "session", "start", "end"), [
    ("Republic of Korea", 3, 28, dt.date(2017, 11, 6), dt.date(2017, 11, 17)),
    ("China", 3, 31, dt.date(2018, 11, 5), dt.date(2018, 11, 16)),
    ("Slovenia", 3, 34, dt.date(2019, 11, 4), dt.date(2019, 11, 15)),
])
def test_cycle_3_reviews_are_no_longer_a_slot_early(name, cycle, session, start, end):
    entry = _by_cycle(name)[cycle]
    assert (entry.session, entry.start_date, entry.end_date) == (session, start, end)
    assert entry.dates.status in ("official", "reported") and entry.dates.source


def test_session_40_dispute_prefers_the_document():
    held = session_dates()[40]
    assert (held.start, held.end) == (dt.date(2022, 1, 24), dt.date(2022, 2, 4))
    assert held.evidence == "document"


def test_a_read_claims_error_names_file_and_line(tmp_path):
    path = tmp_path / "wg-session-dates-x.csv"
    path.write_text("session,start,end,evidence,source\n41,2022-11-07,2022-11-18,secondary,x\n42,2023-02-30,2023-02-03,"
                    "secondary,y\n")
    with pytest.raises(EvidenceError, match="line 3"):
        read_claims(path)
    path.write_text("session,start,end,evidence,source\n41,2022-11-18,2022-11-07,secondary,x\n")
    with pytest.raises(EvidenceError, match="ends before it starts"):
        read_claims(path)


def test_the_builder_reads_every_evidence_table_and_refuses_contradictions(tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "tools" / "build_calendar_data.py"
    spec = importlib.util.spec_from_file_location("build_calendar_data", path)
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    (tmp_path / "wg-session-dates-21-22.csv").write_text(
        "session,start,end,evidence,source\n22,2015-05-04,2015-05-15,document,a\n21,2015-01-19,2015-01-30,secondary,b\n")
    (tmp_path / "wg-session-dates-55.csv").write_text(
        "session,start,end,evidence,source\n55,2027-11-01,2027-11-12,document,c\n")
    assert [(c.session, c.source) for c in builder.evidence_table(tmp_path)] == [(21, "b"), (22, "a"), (55, "c")]
    (tmp_path / "wg-session-dates-again.csv").write_text(
        "session,start,end,evidence,source\n22,2015-05-11,2015-05-22,secondary,d\n")
    with pytest.raises(SystemExit, match="session 22 given twice"):
        builder.evidence_table(tmp_path)


# --- 2. projections from observed practice ---------------------------------------------------------------

def test_the_practice_is_observed_in_the_dated_sessions():
    seen = practice()
    gaps = {g.before: g for g in seen.gaps}
    assert {n: g.reason for n, g in gaps.items()} == {13: "between cycles", 27: "between cycles",
                                                     36: "moved", 41: "between cycles"}
    assert [slot_of(dt.date(2012, 1, 1)), slot_of(dt.date(2017, 1, 1)), slot_of(dt.date(2022, 5, 1))] == [
        gaps[13].slots[0], gaps[27].slots[0], gaps[41].slots[0]]
    assert seen.cycle_gap == 1 and seen.cycle_gap_always and seen.cycle_gap_years() == "2012, 2017 and 2022"
    hits, total = seen.fits[0]
    assert total >= 10 and hits / total > 0.7  # the fitted January opening day matches most Januaries


def test_sessions_are_three_a_year_monday_to_friday_of_the_following_week():
    dates = session_dates()
    for number in range(51, 69):
        if dates[number].status in ("estimated", "projected"):
            assert dates[number].start.weekday() == 0 and dates[number].end.weekday() == 4
            assert (dates[number].end - dates[number].start).days == 11
    slots = [dates[n].slot for n in range(55, 69)]
    assert slots == list(range(slots[0], slots[0] + 14))  # no gap inside a cycle
    for year in range(2028, 2032):
        assert sum(d.year == year for d in dates.values()) == 3


def test_cycle_5_opens_one_slot_after_session_54_and_says_so():
    dates = session_dates()
    assert dates[55].slot == dates[54].slot + 2  # Jan-Feb 2027, then Apr-May 2027 unused, then Oct-Nov 2027
    assert dates[55].status == "projected" and dates[55].start == dt.date(2027, 11, 1)
    assert ("cycle 5 opens about Oct–Nov 2027 if the Working Group again leaves one slot unused between cycles, "
            "as in 2012, 2017 and 2022") in dates[55].rule
    assert dates[55].confidence == "likely"
    assert "counted from session 55" in dates[59].rule


def test_the_cycle_gap_rule_follows_what_the_data_show():
    """Were two slots left unused at every change of cycle, the projection would leave two."""
    def claim(n, start):
        return Claim(n, start, start + dt.timedelta(days=11), "document", "test")

    dated = {12: claim(12, dt.date(2011, 10, 3)), 13: claim(13, dt.date(2012, 10, 22)),
             26: claim(26, dt.date(2016, 10, 31)), 27: claim(27, dt.date(2017, 10, 30))}
    seen = observe_practice(dated)
    assert seen.cycle_gap == 2 and [g.reason for g in seen.gaps] == ["between cycles", "between cycles"]


def test_the_covid_shift_of_2020():
    dates = session_dates()
    assert dates[36].start == dt.date(2020, 11, 2) and "COVID-19" in dates[36].note and "May 2020" in dates[36].note
    assert [n for n, d in dates.items() if d.year == 2020] == [35, 36]
    assert dates[37].start == dt.date(2021, 1, 18)


def test_an_undated_session_between_dated_ones_is_estimated_and_labelled():
    s51 = session_dates()[51]
    assert s51.status == "estimated" and s51.start == dt.date(2026, 1, 19)
    assert "between session 50" in s51.rule and "session 52" in s51.rule and s51.source.startswith("estimate")


def test_dates_off_the_pattern_from_a_planning_sheet_are_flagged():
    dates = session_dates()
    assert "may be off" in dates[53].note and "may be off" in dates[54].note
    assert dates[52].note == ""  # 4-15 May 2026 runs Monday to Friday of the following week


# --- 3. postponed reviews ----------------------------------------------------------------------------------

def test_sudan_cycle_3_is_shown_where_it_happened():
    sudan = _by_cycle("Sudan")[3]
    assert sudan.session == 40 and sudan.review_date == dt.date(2022, 2, 2)
    assert "place in the order is session 39" in sudan.note
    by_session = Schedule().by_session()
    assert "SDN" in {e.iso3 for e in by_session[40]} and "SDN" not in {e.iso3 for e in by_session[39]}


def test_ukraine_is_not_shown_twice_without_the_note():
    ukraine = _by_cycle("Ukraine")
    assert ukraine[4].session == 54 and "session 42" in ukraine[4].note
    assert ukraine[5].session == 56 and ukraine[5].status == "projected"
    assert "fixed order" in ukraine[5].note and "the slot may move" in ukraine[5].note
    assert "UKR" not in {e.iso3 for e in Schedule().by_session().get(42, [])}


def test_no_state_is_listed_twice_within_two_years_without_the_note():
    schedule = Schedule()
    for state in load_states():
        entries = schedule.reviews_of(state)
        for before, after in zip(entries, entries[1:], strict=False):
            if (after.start_date - before.start_date).days < 2 * 365 and after.status != "official":
                assert "may move" in after.note, (state.name, before.session, after.session)


def test_close_reviews_get_the_note_whatever_moved_them():
    china = reviews_of("China")
    moved = dataclasses.replace(china[4], dates=session_dates()[47], note="")
    noted = _close_reviews_noted(china[:4] + [moved])
    assert "the slot may move" in noted[-1].note and "months after its review at session 45" in noted[-1].note


# --- 4. deadlines follow the corrected dates -------------------------------------------------------------

def test_china_cli_json_gives_session_59_in_2029_with_its_rule_and_deadline():
    result = CliRunner().invoke(main, ["calendar", "--state", "China", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    review = data["reviews"][-1]
    assert (review["cycle"], review["session"], review["status"], review["dates_status"]) == (5, 59, "projected",
                                                                                             "projected")
    start = dt.date.fromisoformat(review["start_date"])
    assert (start.year, start.month) == (2029, 1) and dt.date.fromisoformat(review["end_date"]).month == 2
    assert "one slot unused between cycles" in review["dates_rule"] and review["dates_confidence"] == "likely"
    stakeholder = {d["key"]: d for d in review["deadlines"]}["stakeholder_submissions"]
    assert dt.date.fromisoformat(stakeholder["date"]) == start - dt.timedelta(days=206)
    assert "session 59's projected dates" in stakeholder["source"]
    assert data["next_review"]["session"] == 59  # today is after session 45


def _move_session_59(start: dt.date) -> None:
    # What ingesting session 59's Working Group report would store.
    Session.objects.filter(number=59).update(start_date=start, end_date=start + dt.timedelta(days=11), year=start.year)


def test_a_corrected_date_moves_the_deadlines_in_every_surface(client):
    from uprwatch.reports.brief import deadlines_section
    from uprwatch.tracking.deadlines import watched_state_deadlines as tracking_deadlines

    _move_session_59(dt.date(2029, 1, 29))
    china5 = _by_cycle("China")[5]
    assert china5.start_date == dt.date(2029, 1, 29) and china5.dates.status == "official"
    expected = dt.date(2029, 1, 29) - dt.timedelta(days=206)
    assert {d.key: d for d in deadlines_for(china5)}["stakeholder_submissions"].date == expected

    api = client.get("/api/calendar/states/China").json()["reviews"][-1]
    assert {d["key"]: d["date"] for d in api["deadlines"]}["stakeholder_submissions"] == expected.isoformat()
    cli = json.loads(CliRunner().invoke(main, ["calendar", "--state", "China", "--json"]).output)["reviews"][-1]
    assert cli["start_date"] == "2029-01-29"
    on = dt.date(2026, 12, 1)
    labels = {d.label: d.date for d in tracking_deadlines(State.objects.get(iso3="CHN"), on)}
    # campaign pages and alerts: session 59's dates now come from a document, so only the rule is estimated
    assert labels["Stakeholder submissions due (UPR cycle 5, WG 59; estimated)"] == expected
    brief = deadlines_section(SimpleNamespace(state=State.objects.get(iso3="CHN")), dt.date(2028, 6, 1))
    assert {d["key"]: d["date"] for d in brief["deadlines"]}["stakeholder_submissions"] == expected.isoformat()
    page = client.get("/states/china/").content.decode()
    assert date_format(dt.date(2029, 1, 29), "DATE_FORMAT") in page  # the state page's calendar panel


# --- iCal: a changed date is an update of the same event -----------------------------------------------

def _china_events(now: dt.datetime) -> dict:
    china = next(s for s in load_states() if s.iso3 == "CHN")
    raw = ical.state_calendar(china, dt.date(2026, 12, 1), now=now).encode("utf-8")
    events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    return {str(e["UID"]): e for e in events}


def test_a_changed_projected_date_is_an_ical_update_not_a_second_event():
    first_time = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    uid = "review-chn-c5-working-group@uprwatch"
    first = _china_events(first_time)
    assert first[uid].decoded("DTSTART") == dt.date(2029, 1, 22) and int(first[uid]["SEQUENCE"]) == 0
    assert "TENTATIVE" == str(first[uid]["STATUS"]) and "one slot unused" in str(first[uid]["DESCRIPTION"])

    again = _china_events(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC))  # nothing changed: nothing moves
    assert int(again[uid]["SEQUENCE"]) == 0 and again[uid].decoded("LAST-MODIFIED") == first_time
    assert again[uid].decoded("DTSTAMP") == first_time

    _move_session_59(dt.date(2029, 1, 29))
    changed_time = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    moved = _china_events(changed_time)
    assert set(moved) == set(first)  # the same events: updated, none added
    assert moved[uid].decoded("DTSTART") == dt.date(2029, 1, 29)
    assert int(moved[uid]["SEQUENCE"]) == 1
    assert moved[uid].decoded("LAST-MODIFIED") == changed_time == moved[uid].decoded("DTSTAMP")
    assert moved[uid].decoded("CREATED") == first_time
    stakeholder = "review-chn-c5-stakeholder-submissions@uprwatch"
    assert int(moved[stakeholder]["SEQUENCE"]) == 1
    assert moved[stakeholder].decoded("DTSTART") == dt.date(2029, 1, 29) - dt.timedelta(days=206)
    earlier = "review-chn-c4-working-group@uprwatch"
    assert int(moved[earlier]["SEQUENCE"]) == 0  # unchanged events keep their version


def test_pages_show_the_rule_and_the_note(client):
    html = client.get("/calendar/?state=Ukraine").content.decode()
    assert "the slot may move" in html and "WG 56" in html
    html = client.get("/calendar/").content.decode()
    assert "if the Working Group again leaves one slot unused between cycles" in html
    assert "reported" in html and "estimated" in html
    panel = client.get("/states/china/").content.decode()
    assert "cycle 5 opens about" not in panel and "Jan–Feb 2029" in panel  # session 59's own rule


def test_sessions_feed_carries_sequence_and_rule(client):
    raw = client.get("/calendar/sessions.ics").content
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")}
    session59 = events["wg-session-59@uprwatch"]
    assert int(session59["SEQUENCE"]) == 0 and "LAST-MODIFIED" in session59
    assert "projected" in str(session59["DESCRIPTION"]) and session59.decoded("DTSTART") == dt.date(2029, 1, 22)


# --- 5. the check against the evidence table ---------------------------------------------------------------

def test_check_compares_every_held_date_with_the_evidence_table():
    report = dates_check()
    assert report["evidence_table"] == {"sessions": "21-50", "compared": 30, "agree": 30, "differ": []}
    [dispute] = [d for d in report["disagreements"] if d["session"] == 40]
    assert dispute["fields"] == ["end"]
    assert dispute["kept"]["end"] == "2022-02-04" and dispute["kept"]["evidence"] == "document"
    assert dispute["other"]["end"] == "2022-02-03" and "press release" in dispute["other"]["evidence"]
    assert {p["session"] for p in report["outside_pattern"]} == {53, 54}
    assert all(g["reason"] != "unexplained" for g in report["unused_slots"])
    assert report["years"] == []


def test_check_reports_a_database_date_against_the_table():
    # An ingested report put session 41 a week later: a document outranks the table's secondary source.
    Session.objects.filter(number=41).update(start_date=dt.date(2022, 11, 14), end_date=dt.date(2022, 11, 25))
    # And one disagreeing with a UN document the calendar already holds: the bundled document is kept.
    Session.objects.filter(number=22).update(start_date=dt.date(2015, 5, 11), end_date=dt.date(2015, 5, 22))
    report = dates_check()
    assert report["evidence_table"]["differ"] == [41]
    by_session = {d["session"]: d for d in report["disagreements"]}
    assert by_session[41]["kept"]["evidence"] == "database" and by_session[41]["other"]["start"] == "2022-11-07"
    assert by_session[22]["kept"]["evidence"] == "document" and by_session[22]["other"]["evidence"] == "database"
    dates = session_dates()
    assert dates[41].start == dt.date(2022, 11, 14) and "replaces" in dates[41].note
    assert dates[22].start == dt.date(2015, 5, 4) and "the database holds" in dates[22].note


def test_cli_check_reports_dates_in_text_and_json(client):
    result = CliRunner().invoke(main, ["calendar", "--check"])
    assert result.exit_code == 0, result.output
    assert "30 of 30 sessions of the evidence table (21-50) agree" in result.output
    assert "disagreement, session 40 (end)" in result.output and "press release" in result.output
    data = json.loads(CliRunner().invoke(main, ["calendar", "--check", "--json"]).output)
    assert data["53"]["only_listed"] == ["USA"] and data["dates"]["evidence_table"]["compared"] == 30
    assert client.get("/api/calendar/check").json()["dates"]["disagreements"][0]["session"] == 40


# --- the database follows ---------------------------------------------------------------------------------

def test_sync_corrects_years_an_older_projection_stored():
    Session.objects.filter(number=59).update(year=2028, start_date=None, end_date=None)
    Session.objects.filter(number=28).update(start_date=None, end_date=None)
    counts = sync_sessions()
    assert Session.objects.get(number=59).year == 2029 and counts["years_set"] >= 1
    s28 = Session.objects.get(number=28)
    assert (s28.start_date, s28.end_date) == (dt.date(2017, 11, 6), dt.date(2017, 11, 17))  # a UN document
    assert Session.objects.get(number=41).start_date is None or Session.objects.get(number=41).start_date == dt.date(
        2022, 11, 7)  # a press release is not written as if it were a document
    assert sync_sessions() == {"created": 0, "years_set": 0, "dates_set": 0}


def test_campaign_page_and_alerts_show_the_corrected_deadline(client, coalition):
    from uprwatch.tracking import alerts, campaigns
    from uprwatch.tracking.models import Notification

    campaign = campaigns.create_campaign(coalition.bob, coalition.org, name="China cycle 5", query="sur=China",
                                         states=["China"])
    client.force_login(coalition.bob)
    page = client.get(f"/tracking/campaigns/{campaign.pk}/").content.decode()
    row = page[page.index("Next reviews and deadlines"):page.index("</table>", page.index("Next reviews and deadlines"))]
    assert date_format(dt.date(2028, 6, 30), "DATE_FORMAT") in row, row  # 206 days before 22 January 2029
    assert "Stakeholder submissions due (UPR cycle 5, WG 59; estimated from projected session dates)" in page
    assert alerts.check_deadlines(dt.date(2028, 6, 20)) >= 1
    messages = list(Notification.objects.filter(kind="deadline", user=coalition.bob).values_list("message", flat=True))
    assert any("Stakeholder submissions due (UPR cycle 5, WG 59; estimated from projected session dates) on "
               "2028-06-30" in m for m in messages), messages
