"""The UPR calendar: derivation of every state's reviews, dates, deadlines, CLI, API, pages, iCal feeds."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import icalendar
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from uprwatch.calendar import derivation, ical
from uprwatch.calendar.deadlines import DeadlineRulesError, deadlines_for_session, load_rules
from uprwatch.calendar.schedule import Schedule, deadlines_for, next_review, reviews_of, upcoming
from uprwatch.calendar.sessions import session_dates
from uprwatch.calendar.sessions_sync import sync_sessions
from uprwatch.cli import main
from uprwatch.records.models import Document, Review, Session, State
from uprwatch.records.states import UnknownStateError, load_states

pytestmark = pytest.mark.django_db

EXPECTED = {
    "China": [4, 17, 31, 45, 59],
    "DPR Korea": [6, 19, 33, 47, 61],
    "Republic of Korea": [2, 14, 28, 42, 56],
    "Slovenia": [7, 20, 34, 48, 62],
}


# --- the schedule -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "sessions"), EXPECTED.items())
def test_known_states_sessions_in_cycles_1_to_5(name, sessions):
    entries = reviews_of(name)
    assert [e.session for e in entries] == sessions
    assert [e.cycle for e in entries] == [1, 2, 3, 4, 5]
    assert entries[-1].status == "projected"
    assert entries[0].status == entries[1].status == "official"
    assert all(e.source for e in entries)


def test_statuses_say_where_an_entry_comes_from():
    china = {e.cycle: e for e in reviews_of("China")}
    assert china[3].status == "derived"
    assert china[4].status == "official" and "A/HRC/56/6" in china[4].source
    slovenia = {e.cycle: e for e in reviews_of("Slovenia")}
    assert slovenia[4].status == "official" and "A/HRC/WG.6/48/SVN/1" in slovenia[4].source
    dprk = {e.cycle: e for e in reviews_of("DPRK")}
    assert dprk[4].status == "derived" and "keeps its place" in dprk[4].source


def test_china_fourth_review_dates():
    entry = {e.cycle: e for e in reviews_of("China")}[4]
    assert (entry.start_date, entry.end_date) == (dt.date(2024, 1, 22), dt.date(2024, 2, 2))
    assert entry.dates.status == "official"
    assert entry.year == 2024


def test_review_days_from_working_group_reports():
    china = {e.cycle: e for e in reviews_of("China")}
    assert china[1].review_date == dt.date(2009, 2, 9) and china[2].review_date == dt.date(2013, 10, 22)
    assert china[5].review_date is None
    assert {e.cycle: e for e in reviews_of("Slovenia")}[4].review_date == dt.date(2025, 1, 28)


def test_every_member_state_has_exactly_one_review_per_cycle_from_cycle_2():
    schedule = Schedule()
    entries = schedule.all_reviews()
    members = {s.iso3 for s in load_states() if s.is_member}
    assert len(members) == 193
    for cycle in (2, 3, 4, 5):
        per_state = Counter(e.iso3 for e in entries if e.cycle == cycle)
        assert set(per_state) == members, cycle
        assert set(per_state.values()) == {1}, cycle
        first, last = 13 + 14 * (cycle - 2), 26 + 14 * (cycle - 2)
        assert all(first <= e.session <= last for e in entries if e.cycle == cycle)
    assert reviews_of("Holy See") == [] and reviews_of("State of Palestine") == []


def test_sessions_21_to_26_are_derived_in_cycle_1_order():
    places = derivation.cycle2_places()
    cycle1 = derivation.cycle1_sessions()
    derived = {iso3: n for iso3, (n, status, _note) in places.items() if status == "derived"}
    assert set(derived.values()) == set(range(21, 27))
    sizes = Counter(derived.values())
    assert sum(sizes.values()) == 193 - 112 and max(sizes.values()) == 14
    newcomers = derivation.new_members()
    assert newcomers == {"SSD"}  # South Sudan: UN member since July 2011, no cycle-1 review
    assert derived["SSD"] == 26
    ordered = [iso3 for iso3 in derived if iso3 not in newcomers]
    for a in ordered:
        for b in ordered:
            if cycle1[a] < cycle1[b]:
                assert derived[a] <= derived[b], (a, b)


def test_a_state_postponed_in_cycle_2_keeps_its_place_afterwards():
    assert derivation.postponed_in_cycle2() == {"ISR": 15}
    israel = reviews_of("Israel")
    assert [e.session for e in israel] == [3, 17, 29, 43, 57]
    assert israel[1].status == "official" and "session 15" in israel[1].note


def test_derivation_checked_against_the_session_52_to_54_lists():
    report = derivation.check_against_cycle4_lists()
    assert set(report) == {52, 53, 54}
    assert report[52]["agree"] == report[52]["listed"] and len(report[52]["listed"]) == 14
    # Differences are states rescheduled in cycle 4, not derivation errors: the schedule takes the lists.
    assert report[53]["only_listed"] == ["USA"] and report[53]["only_derived"] == ["SDN"]
    assert report[54]["only_listed"] == ["MMR", "SDN", "UKR"] and report[54]["only_derived"] == []
    assert sum(len(r["agree"]) for r in report.values()) == 38
    usa = {e.cycle: e for e in reviews_of("United States")}
    assert usa[4].session == 53 and usa[4].status == "official" and "rescheduled" in usa[4].note


def test_next_review():
    assert next_review("China", on=dt.date(2026, 11, 26)).session == 59
    assert next_review("China", on=dt.date(2024, 1, 30)).session == 45  # session in progress
    assert next_review("Haiti", on=dt.date(2026, 11, 26)).session == 54
    with pytest.raises(UnknownStateError) as excinfo:
        next_review("Chna")
    assert "China" in excinfo.value.suggestions


def test_every_session_has_a_year_and_dates():
    dates = session_dates()
    assert sorted(dates) == list(range(1, 69))
    # Session 54's dates come from the 2025-26 planning sheet, not a UN document: reported, not official.
    assert dates[54].year == 2027 and dates[54].status == "reported" and dates[54].evidence == "planning sheet"
    assert dates[17].start == dt.date(2013, 10, 21) and "A/HRC/25/" in dates[17].source
    # Session 59 is projected a slot later than the old three-a-year estimate (2028): one slot goes unused
    # between cycles 4 and 5, as it did between every earlier pair of cycles.
    assert dates[59].status == "projected" and dates[59].year == 2029
    starts = [dates[n].start for n in range(1, 69)]
    assert starts == sorted(starts)
    assert all(dates[n].start.weekday() == 0 for n in range(55, 69))


def test_a_review_ingested_from_a_document_overrides_the_derivation():
    dprk = State.objects.get(iso3="PRK")
    review = Review.objects.create(state=dprk, session_id=48)
    Document.objects.create(symbol="A/HRC/TEST/1", kind="working_group_report", review=review, sha256="x" * 64)
    entry = {e.cycle: e for e in reviews_of("DPRK")}[4]
    assert (entry.session, entry.status) == (48, "official")
    assert "A/HRC/TEST/1" in entry.source and "47" in entry.note


def test_session_dates_from_the_database_are_official():
    Session.objects.filter(number=33).update(start_date=dt.date(2019, 5, 6), end_date=dt.date(2019, 5, 17))
    entry = {e.cycle: e for e in reviews_of("DPRK")}[3]
    assert entry.start_date == dt.date(2019, 5, 6) and entry.dates.status == "official"


def test_sync_sessions_fills_years_and_is_idempotent():
    Session.objects.filter(number__gte=54).update(year=None)
    first = sync_sessions()
    assert first["years_set"] >= 15
    assert not Session.objects.filter(number__lte=68, year__isnull=True).exists()
    assert Session.objects.get(number=54).year == 2027
    assert sync_sessions() == {"created": 0, "years_set": 0, "dates_set": 0}


# --- deadlines ----------------------------------------------------------------------------------

def test_official_deadlines_for_session_52_and_estimated_elsewhere():
    dates = session_dates()
    by_key = {d.key: d for d in deadlines_for_session(dates[52])}
    assert by_key["stakeholder_submissions"].date == dt.date(2025, 10, 10)
    assert by_key["stakeholder_submissions"].status == "official"
    assert by_key["national_report"].date == dt.date(2026, 1, 26)
    assert by_key["hrc_adoption"].date == dt.date(2026, 9, 1)
    assert by_key["mid_term_report"].status == "estimated"
    china5 = {e.cycle: e for e in reviews_of("China")}[5]
    keys = {d.key: d for d in deadlines_for(china5)}
    assert set(keys) == {"stakeholder_submissions", "national_report", "working_group", "hrc_adoption", "mid_term_report"}
    assert keys["stakeholder_submissions"].date == china5.start_date - dt.timedelta(days=206)
    assert keys["stakeholder_submissions"].status == "estimated"
    assert keys["mid_term_report"].end_date > keys["mid_term_report"].date > china5.end_date


def test_deadline_rules_are_configurable(settings, tmp_path):
    rules = tmp_path / "rules.csv"
    rules.write_text(
        "key,label,anchor,months,days,window_months,rule\n"
        "stakeholder_submissions,Submissions,session_start,-6,0,0,six months before\n"
    )
    settings.UPRWATCH_CALENDAR_RULES = str(rules)
    china5 = {e.cycle: e for e in reviews_of("China")}[5]
    [deadline] = deadlines_for(china5)
    # Six months before session 59 as projected now (22 January 2029), not before 30 October 2028.
    assert deadline.date == dt.date(2028, 7, 22) and deadline.label == "Submissions"
    rules.write_text("key,label,anchor,months,days,window_months,rule\nx,X,whenever,0,0,0,\n")
    load_rules.cache_clear()
    with pytest.raises(DeadlineRulesError, match="anchor"):
        deadlines_for(china5)


def test_upcoming_deadlines_of_a_state():
    due = upcoming(days=400, on=dt.date(2026, 11, 26), states=["Haiti"])
    keys = [(u.deadline.key, u.entry.session) for u in due]
    assert ("working_group", 54) in keys and ("hrc_adoption", 54) in keys
    assert all(u.entry.iso3 == "HTI" for u in due)
    assert all(dt.date(2026, 11, 26) <= (u.deadline.end_date or u.deadline.date) for u in due)


def test_upcoming_deadlines_entry_point_for_tracking_alerts():
    from uprwatch.calendar.schedule import state_deadlines

    china = State.objects.get(iso3="CHN")
    found = state_deadlines(china, dt.date(2026, 11, 26), None)
    assert [d.label for d in found][:2] == [
        "Stakeholder submissions due (UPR cycle 5, WG 59; estimated from projected session dates)",
        "National report due (UPR cycle 5, WG 59; estimated from projected session dates)"]
    assert state_deadlines(china, dt.date(2026, 11, 26), 30) == []
    from uprwatch.tracking.deadlines import watched_state_deadlines as tracking_deadlines

    assert tracking_deadlines(china, dt.date(2026, 11, 26))[0].date == found[0].date


# --- command line -------------------------------------------------------------------------------

def test_cli_state_json():
    result = CliRunner().invoke(main, ["calendar", "--state", "China", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    reviews = data["reviews"]
    assert [(r["cycle"], r["session"], r["status"]) for r in reviews][-1] == (5, 59, "projected")
    assert {"cycle", "session", "year", "status", "start_date", "end_date", "deadlines"} <= set(reviews[0])
    assert reviews[3]["start_date"] == "2024-01-22" and reviews[3]["end_date"] == "2024-02-02"


def test_cli_unknown_state_lists_close_matches():
    result = CliRunner().invoke(main, ["calendar", "--state", "Chna"])
    assert result.exit_code == 1
    assert "unknown state name" in result.output and "China" in result.output
    assert "Traceback" not in result.output


def test_cli_overview_and_check():
    result = CliRunner().invoke(main, ["calendar", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["upcoming_sessions"] and {"today", "due_next"} <= set(data)
    result = CliRunner().invoke(main, ["calendar", "--check", "--json"])
    assert json.loads(result.output)["53"]["only_listed"] == ["USA"]
    result = CliRunner().invoke(main, ["calendar", "--state", "Slovenia"])
    assert result.exit_code == 0 and "Reviews of Slovenia" in result.output


# --- API ----------------------------------------------------------------------------------------

def test_api_state_calendar(client):
    response = client.get("/api/calendar/states/Republic of Korea")
    assert response.status_code == 200
    assert [r["session"] for r in response.json()["reviews"]] == [2, 14, 28, 42, 56]
    response = client.get("/api/calendar/states/Narnia")
    assert response.status_code == 404 and "unknown state name" in response.json()["detail"]


def test_api_sessions_upcoming_and_bad_input(client):
    sessions = client.get("/api/calendar/sessions?first=45&last=45").json()
    assert sessions[0]["start_date"] == "2024-01-22" and "China" in [s["state"] for s in sessions[0]["states"]]
    assert client.get("/api/calendar/sessions?first=50&last=40").status_code == 400
    assert client.get("/api/calendar/upcoming?days=-5").status_code == 422
    assert client.get("/api/calendar/upcoming?state=Chna").status_code == 404
    assert client.get("/api/calendar").status_code == 200
    assert client.get("/api/calendar/check").json()["52"]["only_listed"] == []


# --- pages --------------------------------------------------------------------------------------

def test_calendar_page(client):
    response = client.get("/calendar/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "What is due next" in html and "Upcoming sessions" in html and "WG 68" in html
    assert 'href="/calendar/sessions.ics"' in html
    response = client.get("/calendar/?state=Chna")
    assert response.status_code == 404 and "China" in response.content.decode()
    response = client.get("/calendar/?state=DPR Korea")
    assert "Democratic People" in response.content.decode() and "WG 61" in response.content.decode()


def test_state_page_panel(client):
    html = client.get("/states/china/").content.decode()
    assert "Next review" in html and "WG 59" in html and "projected" in html
    assert "/calendar/states/china.ics" in html
    assert "UPR calendar" not in client.get("/states/holy-see/").content.decode()


# --- iCal ---------------------------------------------------------------------------------------

def _check_rfc5545(raw: bytes) -> icalendar.Calendar:
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line
    calendar = icalendar.Calendar.from_ical(raw)
    events = calendar.walk("VEVENT")
    assert events
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    assert all("DTSTAMP" in e and "DTSTART" in e and "SUMMARY" in e for e in events)
    return calendar


def test_state_ics_feed(client):
    response = client.get("/calendar/states/china.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = _check_rfc5545(response.content)
    review = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == "review-chn-c4-working-group@uprwatch"][0]
    assert review.decoded("DTSTART") == dt.date(2024, 1, 22)
    assert review.decoded("DTEND") == dt.date(2024, 2, 3)  # exclusive end: the session ends 2 February
    assert "China" in str(review["SUMMARY"]) and "," in str(review["SUMMARY"])  # escaped comma read back


def test_sessions_ics_feed_and_unknown_state(client):
    calendar = _check_rfc5545(client.get("/calendar/sessions.ics").content)
    sessions = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("wg-session-") and
                str(e["UID"]).count("-") == 2]
    assert len(sessions) == 68
    assert client.get("/calendar/states/narnia.ics").status_code == 404


@given(st.text(min_size=0, max_size=300))
def test_ical_text_round_trips(text):
    text = text.replace("\r", "")
    event = ical.Event("x", dt.date(2027, 1, 1), dt.date(2027, 1, 1), text, text, True)
    raw = ical.render_calendar("t", [event], now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).encode("utf-8")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    parsed = icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(parsed["SUMMARY"]) == text


# --- the data builder (tools/build_calendar_data.py) ------------------------------------------------

def _builder():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "tools" / "build_calendar_data.py"
    spec = importlib.util.spec_from_file_location("build_calendar_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("text", "expected"), [
    ("The Working Group held its nineteenth session from 28 April to 9 May 2014. The review of Albania",
     (19, dt.date(2014, 4, 28), dt.date(2014, 5, 9))),
    ("held its third session from 1 to 15 December 2008.", (3, dt.date(2008, 12, 1), dt.date(2008, 12, 15))),
    ("Working Group on the Universal Periodic Review Thirty-fourth session 4\u201315 November 2019 National report",
     (34, dt.date(2019, 11, 4), dt.date(2019, 11, 15))),
    ("Working Group on the Universal Periodic Review Seventh session Geneva, 8-19 February 2010",
     (7, dt.date(2010, 2, 8), dt.date(2010, 2, 19))),
    ("held its twentieth session from 27 October to 7 November 2014", (20, dt.date(2014, 10, 27), dt.date(2014, 11, 7))),
    ("a report with no session dates", None),
])
def test_session_dates_are_read_from_un_document_text(text, expected):
    assert _builder().session_dates_from_text(text) == expected
