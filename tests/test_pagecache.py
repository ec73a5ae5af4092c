"""The anonymous page cache: pages are reused only while the data they show is unchanged, and never for
signed-in people or responses tied to one visitor."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.http import HttpResponse

from uprwatch.records.models import Recommendation
from uprwatch.search import catalog
from uprwatch.tracking import events, organisations
from uprwatch.web.pagecache import AnonymousPageCacheMiddleware

pytestmark = [pytest.mark.django_db, pytest.mark.pagecache]


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    settings.UPRWATCH_PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def kept() -> int:
    return len(caches["pages"]._list_cache_files())


def china_rec() -> Recommendation:
    return Recommendation.objects.get(review__state__iso3="CHN", text__contains="North Korean citizens who have fled")


def test_an_anonymous_page_is_served_again_until_the_data_changes(client):
    rec = china_rec()
    url = f"/recommendations/{rec.pk}/"
    first = client.get(url).content
    Recommendation.objects.filter(pk=rec.pk).update(text=rec.text + " CHANGED-WITHOUT-A-STAMP")
    assert client.get(url).content == first  # the same page, from the cache: nothing said the data changed
    catalog.bump_stamp()  # what every ingest, relabelling and review decision does
    assert "CHANGED-WITHOUT-A-STAMP" in client.get(url).content.decode()


def test_published_tracking_data_shows_at_once(client, alice):
    rec = china_rec()
    url = f"/recommendations/{rec.pk}/"
    client.get(url)
    org = organisations.create_organisation("Cache Coalition", admin=alice)
    events.create_event(alice, org, title="Reported forced repatriation of about 600 people",
                        occurred_on="2023-10-09", recommendations=[rec.pk], visibility="published")
    assert "Reported forced repatriation of about 600 people" in client.get(url).content.decode()


def test_htmx_fragments_and_full_pages_are_kept_apart(client):
    url = f"/search/similar/{china_rec().pk}/"  # a whole page, or its list alone for htmx
    full = client.get(url).content
    fragment = client.get(url, HTTP_HX_REQUEST="true").content
    assert fragment != full and b"<html" in full and b"<html" not in fragment
    assert client.get(url).content == full
    assert client.get(url, HTTP_HX_REQUEST="true").content == fragment


def test_signed_in_people_always_get_a_fresh_page(client, bob):
    rec = china_rec()
    url = f"/recommendations/{rec.pk}/"
    client.get(url)
    Recommendation.objects.filter(pk=rec.pk).update(text=rec.text + " SEEN-BY-BOB")
    client.force_login(bob)
    assert "SEEN-BY-BOB" in client.get(url).content.decode()


def _form_view(request):
    from django.middleware.csrf import get_token

    return HttpResponse(f"<form>{get_token(request)}</form>")


def _cookie_view(request):
    response = HttpResponse("hello")
    response.set_cookie("seen", "1")
    return response


@pytest.mark.parametrize("view", [_form_view, _cookie_view])
def test_responses_tied_to_one_visitor_are_not_kept(rf, view):
    AnonymousPageCacheMiddleware(view)(rf.get("/states/china/"))
    assert kept() == 0
    AnonymousPageCacheMiddleware(lambda request: HttpResponse("same for all"))(rf.get("/states/china/"))
    assert kept() == 1


def test_turned_off_with_zero_seconds(client, settings):
    settings.UPRWATCH_PAGE_CACHE_SECONDS = 0
    client.get("/states/china/")
    assert kept() == 0
