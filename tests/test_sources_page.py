"""The "Data sources" page for staff (Alice); Bob (member, not staff) and Charlie (signed out) are refused."""

from __future__ import annotations

import pytest
from source_servers import UwaziServer, upr_info_entity

from uprwatch.tracking.alerts import run_jobs
from uprwatch.tracking.models import Job


@pytest.fixture
def upr_info(settings, tmp_path):
    settings.HOME = tmp_path
    settings.UPRWATCH_UPR_INFO_PAUSE_SECONDS = 0
    settings.UPRWATCH_SOURCES_BACKOFF_SECONDS = 0
    settings.UPRWATCH_SOURCES_START_JOBS = False  # the test runs the job itself, as cron would
    entities = [upr_info_entity(f"e{n}", sur="China", by=["Japan"], created=1_700_000_000_000 + n,
                                text=f"Ensure access to clean water for every village in province number {n}")
                for n in range(30)]
    with UwaziServer(entities) as server:
        settings.UPRWATCH_UPR_INFO_URL = server.url
        yield server


def test_charlie_signed_out_is_sent_to_log_in(client, db):
    response = client.get("/sources/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/sources/sync/", {"sources": "upr-info"}).status_code == 302
    assert not Job.objects.filter(kind="source_sync").exists()


def test_bob_who_is_not_staff_is_refused(client, bob):
    client.force_login(bob)
    assert client.get("/sources/").status_code == 403
    assert client.post("/sources/sync/", {"sources": "upr-info"}).status_code == 403
    assert not Job.objects.filter(kind="source_sync").exists()


def test_alice_starts_a_sync_as_a_background_job_and_sees_its_figures(client, alice, upr_info):
    client.force_login(alice)
    page = client.get("/sources/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "upr-info" in html and upr_info.url in html and "never" in html
    response = client.post("/sources/sync/", {"sources": "upr-info"}, follow=True)
    assert "started in the background" in response.content.decode()
    job = Job.objects.get(kind="source_sync")
    assert job.status == "queued" and job.payload["sources"] == ["upr-info"]
    assert upr_info.requests == []  # nothing ran inside the request
    # a second press while it is queued is refused, not queued twice
    again = client.post("/sources/sync/", {"sources": "upr-info"}, follow=True)
    assert "already queued" in again.content.decode() and Job.objects.filter(kind="source_sync").count() == 1
    figures = run_jobs(kinds=("source_sync",), deadlines=False)
    assert figures["jobs_done"] == 1
    job.refresh_from_db()
    assert job.status == "done" and job.result["sources"]["upr-info"]["added"] == 30
    fragment = client.get("/sources/status/").content.decode()
    assert 'data-source="upr-info"' in fragment and ">30<" in fragment and "done" in fragment
    assert "hx-trigger" not in fragment  # nothing running: the page stops polling


def test_a_failed_sync_shows_its_error(client, alice, upr_info):
    client.force_login(alice)
    upr_info.garbage_from = 0
    client.post("/sources/sync/", {"sources": "upr-info"})
    assert run_jobs(kinds=("source_sync",), deadlines=False)["jobs_failed"] == 1
    html = client.get("/sources/").content.decode()
    assert "failed: " in html and "HTML page" in html


def test_unknown_source_is_refused(client, alice, upr_info):
    client.force_login(alice)
    response = client.post("/sources/sync/", {"sources": "nowhere"}, follow=True)
    assert "unknown source(s) nowhere" in response.content.decode()
    assert not Job.objects.filter(kind="source_sync").exists()


def test_a_sync_whose_runner_died_is_shown_as_interrupted_and_does_not_block(client, alice, upr_info):
    from uprwatch.sources.status import read_status, write_status

    client.force_login(alice)
    client.post("/sources/sync/", {"sources": "upr-info"})
    Job.objects.filter(kind="source_sync").update(status="running")  # its runner was killed mid-pass
    write_status("upr-info", state="running", pages=3, entities=600)
    html = client.get("/sources/").content.decode()
    assert "interrupted" in html and read_status("upr-info")["state"] == "failed"
    assert Job.objects.get(kind="source_sync").status == "failed"
    response = client.post("/sources/sync/", {"sources": "upr-info"}, follow=True)
    assert "started in the background" in response.content.decode()
