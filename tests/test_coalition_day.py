"""The coalition's day without friction (issue 20), below the browser: pinning from search and recommendation
pages, saving a search as a campaign, forms that keep input and refuse uploads inline, a brief that marks
unpublished material and takes its firsts from the campaign's saved search, API tokens on reports, styled
error pages, and a CLI that finds the database ``make run`` uses. Personas: Alice (coalition admin), Bob
(contributor), Charlie (another organisation)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from uprwatch.records.models import Recommendation
from uprwatch.tracking import assessments, campaigns, events, organisations
from uprwatch.tracking.models import Assessment, Campaign, EvidenceItem

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def search_index(django_db_setup, django_db_blocker):
    from uprwatch.search.indexing import rebuild_text_index, text_index_is_current

    with django_db_blocker.unblock():
        if not text_index_is_current():
            rebuild_text_index()


@pytest.fixture
def rec():
    return Recommendation.objects.get(review__state__iso3="CHN", text__contains="North Korean citizens who have fled")


@pytest.fixture
def campaign(coalition, rec):
    campaign = campaigns.create_campaign(coalition.bob, coalition.org, name="Escapees", query="q=refoulement&sur=China",
                                          states=["China"], pinned=[rec.pk])
    assessments.save_assessment(coalition.bob, coalition.org, rec.pk, status="not_implemented", rationale="DRAFT-VIEW")
    events.create_event(coalition.bob, coalition.org, title="PRIVATE-EVENT", occurred_on="2023-10-09", states=["China"],
                        recommendations=[rec.pk])
    return campaign


def test_pin_and_unpin_from_search_results_with_htmx(client, coalition, rec, campaign):
    client.force_login(coalition.bob)
    page = client.get("/search/", {"q": "North Korean citizens who have fled", "sur": "China"}).content.decode()
    assert f'id="pin-{rec.pk}"' in page and "Save this search as a campaign" in page
    url = f"/tracking/recommendations/{rec.pk}/pin/"
    fragment = client.post(url, {"campaign": campaign.pk, "action": "pin"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "Pinned to Escapees" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()  # a fragment for htmx to swap, not a page
    assert campaign.pinned.filter(pk=rec.pk).exists()
    client.post(url, {"campaign": campaign.pk, "action": "unpin"}, HTTP_HX_REQUEST="true")
    assert not campaign.pinned.filter(pk=rec.pk).exists()
    # Without JavaScript: back to where the person was.
    plain = client.post(url, {"campaign": campaign.pk, "action": "pin", "next": "/search/?q=refoulement"})
    assert plain.status_code == 302 and plain["Location"] == "/search/?q=refoulement"


def test_pinning_is_refused_to_outsiders_and_the_recommendation_page_offers_it(client, coalition, rec, campaign):
    client.force_login(coalition.charlie)
    url = f"/tracking/recommendations/{rec.pk}/pin/"
    assert client.post(url, {"campaign": campaign.pk, "action": "unpin"}).status_code == 404
    assert campaign.pinned.filter(pk=rec.pk).exists()
    assert f'id="pin-{rec.pk}"' not in client.get(f"/recommendations/{rec.pk}/").content.decode()
    client.force_login(coalition.bob)
    assert "Pinned to Escapees" in client.get(f"/recommendations/{rec.pk}/").content.decode()


def test_save_this_search_as_a_campaign(client, coalition):
    client.force_login(coalition.bob)
    response = client.post("/tracking/campaigns/from-search/", {
        "organisation": coalition.org.pk, "name": "Refoulement in China", "query": "q=refoulement&sur=China"})
    campaign = Campaign.objects.get(name="Refoulement in China")
    assert response.status_code == 302 and response["Location"] == f"/tracking/campaigns/{campaign.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "What the campaign follows" in page and "<strong>words</strong> refoulement" in page
    bad = client.post("/tracking/campaigns/from-search/", {"organisation": coalition.org.pk, "name": "",
                                                           "query": "sur=Atlantis"})
    assert bad.status_code == 400 and "Atlantis" in bad.content.decode()
    assert Campaign.objects.count() == 1


def test_a_refused_upload_keeps_the_typed_citation_beside_the_file_error(client, coalition, rec):
    draft = assessments.save_assessment(coalition.bob, coalition.org, rec.pk, status="not_implemented")
    client.force_login(coalition.bob)
    response = client.post(f"/tracking/assessments/{draft.pk}/evidence/", {
        "citation": "HRW report, 13 Oct 2023", "quote": "forcibly returned",
        "file": SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>", content_type="application/pdf")})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="HRW report, 13 Oct 2023"' in body and "forcibly returned" in body
    assert "is not .pdf" in body and 'id="id_file_errors"' in body  # beside the file field, on the same page
    assert "Add evidence" in body and not EvidenceItem.objects.exists()


def test_forms_put_errors_beside_their_fields_and_keep_input(client, coalition):
    client.force_login(coalition.bob)
    response = client.post("/tracking/events/new/", {"organisation": coalition.org.pk, "title": "Arrests",
                                                      "occurred_on": "2023-13-45", "places": "Jilin"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_occurred_on_errors"' in body and 'value="Jilin"' in body and 'value="Arrests"' in body


def test_brief_marks_drafts_and_can_leave_them_out(client, coalition, campaign):
    client.force_login(coalition.bob)
    page = client.get("/reports/brief/", {"campaign": campaign.pk}).content.decode()
    assert "Not for circulation as is" in page and "draft — private to Coalition to Stop Forced Repatriation" in page
    assert "unpublished — private to Coalition to Stop Forced Repatriation" in page  # the event
    assert "DRAFT-VIEW" in page and "PRIVATE-EVENT" in page
    assert "firsts are computed for a search query" not in page
    published = client.get("/reports/brief/", {"campaign": campaign.pk, "published": "1"}).content.decode()
    assert "DRAFT-VIEW" not in published and "PRIVATE-EVENT" not in published
    assert "unpublished item" not in published and "Published material only" in published
    assert "the campaign is private to" in published  # the subject itself is still the member's private campaign


def test_api_token_reads_its_own_campaigns_brief_and_matrix(client, coalition, campaign):
    _, key = organisations.create_token(coalition.bob, "reports")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/reports/brief", {"campaign": campaign.pk}).status_code == 404
    data = client.get("/api/reports/brief", {"campaign": campaign.pk}, **auth).json()
    assert data["campaign"] == "Escapees" and data["query"] == "q=refoulement&sur=China"
    assert data["unpublished"]["count"] == 2 and data["firsts"]["first"]  # firsts from the saved search
    assert any(a["unpublished"] for r in data["recommendations"] for a in r.get("assessments", []))
    matrix = client.get("/api/reports/matrix", {"campaign": campaign.pk, "format": "xlsx"}, **auth)
    assert matrix.status_code == 200 and matrix["Content-Type"].startswith("application/vnd.openxml")
    assert client.get("/api/reports/brief", {"campaign": campaign.pk},
                      HTTP_AUTHORIZATION="Bearer upr_wrong").status_code == 401
    _, other = organisations.create_token(coalition.charlie, "outsider")
    assert client.get("/api/reports/brief", {"campaign": campaign.pk},
                      HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404


def test_not_found_is_a_styled_page_with_a_sign_in_hint(client, coalition, campaign):
    response = client.get(f"/tracking/campaigns/{campaign.pk}/")
    assert response.status_code in (302, 404)
    page = client.get("/no/such/page/")
    body = page.content.decode()
    assert page.status_code == 404 and "This page is not here" in body and "sign in" in body
    assert 'rel="icon"' in body


def test_numbers_and_dates_have_one_format(client, coalition, campaign, rec):
    client.force_login(coalition.bob)
    draft = Assessment.objects.get(recommendation=rec)
    page = client.get(f"/tracking/assessments/{draft.pk}/").content.decode()
    assert draft.assessed_on.strftime("%-d %b %Y") in page
    search = client.get("/search/", {"q": "women"}).content.decode()
    count = search.split('class="result-count"><strong>')[1].split("<")[0]
    assert "," in count  # thousands separated


def _cli(cwd, home_env: dict, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("UPRWATCH_HOME", "DATABASE_URL")}
    env.update(home_env)
    return subprocess.run([sys.executable, "-m", "uprwatch.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_uses_the_project_var_and_never_makes_a_second_database(tmp_path):
    home = tmp_path / "home"
    result = _cli(tmp_path, {"HOME": str(home)}, "users", "create", "bob", "--password", "x")
    assert result.returncode == 1 and "UPRWATCH_HOME" in result.stderr and "Traceback" not in result.stderr
    assert not (home / ".local/share/uprwatch/uprwatch.sqlite3").exists()
    # A project folder whose var/ holds the database make run made: found without UPRWATCH_HOME.
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "uprwatch.sqlite3").write_bytes(b"")
    found = _cli(tmp_path, {"HOME": str(home)}, "stats")
    assert "there is no uprwatch database" not in found.stderr
    assert "run `uprwatch init` first" in found.stderr  # the empty file has no tables: said, not a traceback


def test_editors_add_and_remove_lineage_links_from_the_recommendation_page(client, alice, bob):
    from uprwatch.analysis.models import LineageLink

    later = Recommendation.objects.filter(review__state__iso3="CHN", review__session__cycle_id=2).order_by("id").first()
    earlier = Recommendation.objects.filter(review__state__iso3="CHN", review__session__cycle_id=1).order_by("id").first()
    machine = LineageLink.objects.create(recommendation=later, earlier=earlier, lexical=0.5, semantic=0.7, score=0.7,
                                         method="test", origin="machine")
    client.force_login(bob)  # not an editor: no controls, and a post is refused
    assert "Correct the links" not in client.get(f"/recommendations/{later.pk}/").content.decode()
    assert client.post(f"/recommendations/{later.pk}/lineage/", {"earlier": machine.earlier_id,
                                                                 "action": "unlink"}).status_code == 403
    client.force_login(alice)  # staff: an editor
    page = client.get(f"/recommendations/{later.pk}/").content.decode()
    assert "Correct the links" in page and "Not a repeat: remove" in page
    response = client.post(f"/recommendations/{later.pk}/lineage/", {"earlier": machine.earlier_id, "action": "unlink"})
    assert response.status_code == 302
    assert not LineageLink.objects.filter(pk=machine.pk).exists()  # hidden everywhere...
    assert LineageLink._base_manager.get(pk=machine.pk).origin == "rejected"  # ...and kept so it does not come back
    api = client.get(f"/api/recommendations/{later.pk}/lineage").json()
    assert machine.earlier_id not in [e["id"] for e in api["earlier"]]
    # Linking it again by hand makes it a person's link.
    client.post(f"/recommendations/{later.pk}/lineage/", {"earlier": f"#{machine.earlier_id}", "action": "link"})
    assert LineageLink.objects.get(pk=machine.pk).origin == "human"
    bad = client.post(f"/recommendations/{later.pk}/lineage/", {"earlier": "abc", "action": "link"})
    assert bad.status_code == 400
