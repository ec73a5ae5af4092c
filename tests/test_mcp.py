"""The MCP server for AI assistants (``uprwatch mcp`` over stdio, ``/mcp/`` over HTTP).

Two layers: the tool functions on the test database (citations, paging, privacy with the personas), and
the SDK's own client against a real ``uprwatch serve`` and a real ``uprwatch mcp`` subprocess on a copy of
the initialised home, where Bob's coalition keeps a private campaign that Charlie's organisation and
anonymous callers must never see.
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.error
import urllib.request

import pytest
from browser_support import Server, clean_environment, copy_home, run_uprwatch
from django.contrib.auth.models import AnonymousUser
from uhri_records import KOREA_2024_TEXT, china_export

from uprwatch.assistant import tools
from uprwatch.errors import Invalid, NotFound
from uprwatch.records.models import Recommendation
from uprwatch.sources.uhri_writer import write_json

BASE = "http://uprwatch.test"

# The non-refoulement recommendations to China in UPR Info's data (issue #23): (recommender, year).
NON_REFOULEMENT = {("Canada", 2009), ("Czechia", 2009), ("Czechia", 2013), ("Republic of Korea", 2013)}


def _pairs(results: list[dict]) -> set[tuple[str, int]]:
    return {(state, r["year"]) for r in results for state in r["recommending_states"]}


# --- the tool functions ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_search_cites_the_non_refoulement_recommendations_verbatim():
    found = tools.search_recommendations(AnonymousUser(), BASE, "refoulement", {"sur": ["China"]}, limit=25)
    assert NON_REFOULEMENT <= _pairs(found["results"])
    korea = next(r for r in found["results"] if r["recommending_states"] == ["Republic of Korea"])
    stored = Recommendation.objects.get(pk=korea["id"])
    assert korea["text"] == stored.text  # verbatim, never shortened
    assert (korea["state_under_review"], korea["session"], korea["cycle"]) == ("China", 17, 2)
    assert korea["paragraph"] == (stored.paragraph or None) and korea["response"] == "noted"
    assert korea["response_source"] and korea["sources"]  # the test database holds UPR Info's rows only
    assert korea["url"] == f"{BASE}/recommendations/{korea['id']}/"
    assert found["total"] == len(found["results"]) and found["next_offset"] is None


@pytest.mark.django_db
def test_broad_questions_are_paged_and_say_how_to_narrow():
    found = tools.search_recommendations(AnonymousUser(), BASE, "", {}, limit=tools.MAX_LIMIT)
    assert found["total"] > 40_000 and found["returned"] == tools.MAX_LIMIT == len(found["results"])
    assert found["next_offset"] == tools.MAX_LIMIT and "narrow" in found["note"]
    assert found["narrow_by"]["sur"] and found["narrow_by"]["cycle"]
    following = tools.search_recommendations(AnonymousUser(), BASE, "", {}, limit=5, offset=found["next_offset"])
    assert following["offset"] == tools.MAX_LIMIT
    assert not {r["id"] for r in following["results"]} & {r["id"] for r in found["results"]}
    with pytest.raises(Invalid, match="limit"):
        tools.search_recommendations(AnonymousUser(), BASE, "", {}, limit=tools.MAX_LIMIT + 1)


@pytest.mark.django_db
def test_bad_arguments_are_user_errors():
    with pytest.raises(NotFound, match="Narnia"):
        tools.state_profile(AnonymousUser(), BASE, "Narnia")
    with pytest.raises(Invalid):
        tools.search_recommendations(AnonymousUser(), BASE, "x", {"cycle": ["nine"]})
    with pytest.raises(NotFound, match="no recommendation"):
        tools.get_recommendation(AnonymousUser(), BASE, 10**9)
    with pytest.raises(Invalid, match="query is required"):
        tools.firsts(AnonymousUser(), BASE, "  ")


@pytest.mark.django_db
def test_every_public_tool_answers_on_the_bundled_data():
    anonymous = AnonymousUser()
    korea_2013 = Recommendation.objects.filter(review__session_id=17, review__state__name="China",
                                               recommending_states__name="Republic of Korea",
                                               text__icontains="refoulement").get()
    detail = tools.get_recommendation(anonymous, BASE, korea_2013.pk)
    assert detail["recommendation"]["id"] == korea_2013.pk and detail["state_response"]["response"] == "noted"
    assert {"earlier", "later", "summary"} <= set(detail["lineage"])
    first = tools.firsts(anonymous, BASE, "refoulement", {"sur": ["China"]})
    assert first["matches"] == 4 and {r["year"] for r in first["first"]} == {2009}
    assert {entry["state"] for entry in first["by_state"]} == {"Canada", "Czechia", "Republic of Korea"}
    profile = tools.state_profile(anonymous, BASE, "China")
    received = Recommendation.objects.filter(review__state__name="China")
    assert profile["as_reviewed"]["total"] == received.count()
    assert len(profile["as_reviewed"]["top_issues"]) <= tools.TOP
    pair = tools.pair(anonymous, BASE, "ROK", "China", limit=3)
    from_korea = received.filter(recommending_states__name="Republic of Korea").distinct().count()
    assert pair["total"] == from_korea > 3 and len(pair["recommendations"]) == 3 and pair["next_offset"] == 3
    calendar = tools.state_calendar(anonymous, BASE, "China")
    assert calendar["next_review"]["session"] >= 59
    held = tools.coverage(anonymous, BASE, "China")
    assert {row["cycle"]: row["status"] for row in held["cycles"]}[1] == "loaded"
    assert all(row["message"] for row in held["cycles"])
    assert tools.coverage(anonymous, BASE)["cycles"]
    due = tools.upcoming(anonymous, BASE, days=365, limit=5)
    assert due["returned"] <= 5 and due["total"] >= due["returned"]


@pytest.mark.django_db
def test_members_see_their_private_tracking_data_and_nobody_else_does(coalition):
    from uprwatch.tracking import assessments, campaigns

    bob, charlie, anonymous = coalition.bob, coalition.charlie, AnonymousUser()
    campaign = campaigns.create_campaign(bob, coalition.org, name="North Korean escapees", query="refoulement",
                                         states=["China"])
    rec = Recommendation.objects.filter(review__session_id=17, review__state__name="China",
                                        recommending_states__name="Republic of Korea", text__icontains="refoulement").get()
    assessments.save_assessment(bob, coalition.org, rec.pk, status="not_implemented", rationale="Forced returns reported.")

    assert [c["id"] for c in tools.list_campaigns(bob, BASE)["campaigns"]] == [campaign.pk]
    assert tools.list_campaigns(charlie, BASE)["campaigns"] == []
    assert tools.list_campaigns(anonymous, BASE)["campaigns"] == []
    mine = tools.get_campaign(bob, BASE, campaign.pk, limit=5)
    followed = sorted(campaigns.recommendation_ids(campaign))
    assert mine["total"] == len(followed) > 5 and [r["id"] for r in mine["recommendations"]] == followed[:5]
    # Another organisation cannot tell a private campaign from one that does not exist.
    with pytest.raises(NotFound) as hidden:
        tools.get_campaign(charlie, BASE, campaign.pk)
    with pytest.raises(NotFound) as missing:
        tools.get_campaign(charlie, BASE, 10**9)
    assert str(hidden.value).replace(str(campaign.pk), "N") == str(missing.value).replace(str(10**9), "N")

    assert tools.list_assessments(bob, BASE, recommendation_id=rec.pk)["total"] == 1
    assert tools.list_assessments(charlie, BASE, recommendation_id=rec.pk)["total"] == 0
    assert tools.get_recommendation(anonymous, BASE, rec.pk)["assessments"] == []
    assert tools.whoami(bob, BASE)["organisations"] == [{"organisation": coalition.org.slug, "role": "contributor"}]
    assert tools.whoami(anonymous, BASE)["signed_in"] is False


def test_every_tool_has_a_description_and_a_schema():
    from uprwatch.assistant.server import build_server

    async def listed():
        from mcp import Client

        async with Client(build_server()) as client:
            return (await client.list_tools()).tools

    found = {tool.name: tool for tool in asyncio.run(listed())}
    assert {"search_recommendations", "get_recommendation", "first_raised", "state_profile", "pair",
            "state_calendar", "upcoming_deadlines", "coverage", "list_campaigns", "get_campaign", "list_assessments",
            "list_events", "whoami"} <= set(found)
    for tool in found.values():
        assert len(tool.description or "") > 80, tool.name
        assert tool.input_schema["type"] == "object", tool.name
    limit = found["search_recommendations"].input_schema["properties"]["limit"]
    assert limit["maximum"] == tools.MAX_LIMIT


# --- the SDK's client against real servers -------------------------------------------------------

def _post_json(url: str, body: dict, token: str) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A served copy of the initialised home where Bob's coalition has a private campaign."""
    home = copy_home(tmp_path_factory.mktemp("mcp") / "home")
    for name in ("alice", "bob", "charlie"):
        run_uprwatch(home, "users", "create", name, "--email", f"{name}@example.org", "--password",
                     f"{name}-password-1")
    run_uprwatch(home, "orgs", "create", "Coalition to Stop Forced Repatriation", "--admin", "alice")
    run_uprwatch(home, "orgs", "add-member", "coalition-to-stop-forced-repatriation", "bob", "--role", "contributor")
    run_uprwatch(home, "orgs", "create", "Other Rights Group", "--admin", "charlie")
    tokens = {name: run_uprwatch(home, "tokens", "create", name).stdout.strip() for name in ("bob", "charlie")}
    # China's 4th review (2024) and the Committee against Torture, as OHCHR's UHRI export gives them.
    write_json(china_export(), home / "uhri.json")
    run_uprwatch(home, "sync", "uhri", "--file", str(home / "uhri.json"))
    server = Server(home, workers=1).start()
    try:
        campaign = _post_json(f"{server.url}/api/tracking/campaigns", {
            "organisation": "coalition-to-stop-forced-repatriation", "name": "North Korean escapees",
            "query": "refoulement", "states": ["China"]}, tokens["bob"])
        yield {"home": home, "url": server.url, "tokens": tokens, "campaign": campaign["id"]}
    finally:
        server.stop()


def _text(result) -> dict:
    assert not result.is_error, result.content[0].text
    return json.loads(result.content[0].text)


async def _session(server, calls: list[tuple[str, dict]]) -> list:
    from mcp import Client

    async with Client(server, read_timeout_seconds=120) as client:
        return [await client.call_tool(name, arguments) for name, arguments in calls]


def _http(url: str, token: str | None = None):
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return streamable_http_client(url + "/mcp/", http_client=create_mcp_http_client(headers=headers))


def _stdio(home, token: str | None = None):
    from mcp.client.stdio import StdioServerParameters

    extra = {"UPRWATCH_TOKEN": token} if token else {}
    return StdioServerParameters(command=sys.executable, args=["-m", "uprwatch.cli", "mcp"],
                                 env=clean_environment(home, **extra))


QUESTION = [
    ("search_recommendations", {"q": "refoulement", "sur": ["China"], "limit": 25}),
    ("list_campaigns", {}),
    ("search_recommendations", {"q": "x", "cycle": ["nine"]}),
    ("state_profile", {"state": "Narnia"}),
    ("get_recommendation", {"id": "not a number"}),
]


@pytest.mark.slow
def test_http_member_token_sees_its_campaign_and_anonymous_does_not(deployment):
    url, tokens = deployment["url"], deployment["tokens"]
    for token, sees_campaign in ((tokens["bob"], True), (tokens["charlie"], False), (None, False)):
        found, campaigns_seen, bad_cycle, bad_state, bad_type = asyncio.run(_session(_http(url, token), QUESTION))
        results = _text(found)["results"]
        assert NON_REFOULEMENT <= _pairs(results)
        # The initialised home holds OHCHR's thematic list for China 2013: paragraph and document are cited.
        korea = next(r for r in results if r["recommending_states"] == ["Republic of Korea"] and r["year"] == 2013)
        assert korea["paragraph"] == "186.243" and korea["documents"][0]["paragraph"] == "186.243"
        assert all(r["url"].startswith(url + "/recommendations/") for r in results)
        ids = [c["id"] for c in _text(campaigns_seen)["campaigns"]]
        assert (deployment["campaign"] in ids) is sees_campaign
        for refused in (bad_cycle, bad_state, bad_type):  # a clear tool error, and the server goes on
            assert refused.is_error and refused.content[0].text
        assert "Narnia" in bad_state.content[0].text
    charlie_asks = asyncio.run(_session(_http(url, tokens["charlie"]), [("get_campaign", {"id": deployment["campaign"]})]))
    assert charlie_asks[0].is_error and "that you may see" in charlie_asks[0].content[0].text


@pytest.mark.slow
def test_http_china_2024_escapees_with_positions_and_what_treaty_bodies_said(deployment):
    """The coalition's question about China's 4th review, asked through an assistant."""
    calls = [("search_recommendations", {"q": "escapees", "sur": ["China"], "cycle": [4]}),
             ("search_recommendations", {"q": "refoulement", "sur": ["China"], "body": ["CAT"]})]
    found, cat = asyncio.run(_session(_http(deployment["url"]), calls))
    korea = next(r for r in _text(found)["results"] if r["recommending_states"] == ["Republic of Korea"])
    assert korea["text"] == KOREA_2024_TEXT and (korea["session"], korea["year"]) == (45, 2024)
    assert any(d["symbol"] == "A/HRC/56/6" for d in korea["documents"])
    detail = _text(asyncio.run(_session(_http(deployment["url"]), [("get_recommendation", {"id": korea["id"]})]))[0])
    assert detail["positions"] and detail["positions"][0]["response"] == korea["response"]
    assert any(m["mechanism"] == "CAT" and m["score"] > 0 for m in detail["other_mechanisms"])
    assert any(r["mechanism"] == "CAT" for r in _text(cat)["results"])


@pytest.mark.slow
def test_http_refuses_a_wrong_token_and_an_oversized_body(deployment):
    request = urllib.request.Request(deployment["url"] + "/mcp/", data=b"{}", method="POST",
                                     headers={"Authorization": "Bearer wrong", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401 and "token" in json.load(refused.value)["detail"]
    request = urllib.request.Request(deployment["url"] + "/mcp/", data=b"x" * (2 * 1024 * 1024), method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as too_large:
        urllib.request.urlopen(request, timeout=30)
    assert too_large.value.code == 413


@pytest.mark.slow
def test_stdio_answers_with_the_token_it_was_started_with(deployment):
    home, tokens = deployment["home"], deployment["tokens"]
    found, campaigns_seen, bad_cycle, *_ = asyncio.run(_session(_stdio(home, tokens["bob"]), QUESTION))
    assert NON_REFOULEMENT <= _pairs(_text(found)["results"])
    assert deployment["campaign"] in [c["id"] for c in _text(campaigns_seen)["campaigns"]]
    assert bad_cycle.is_error
    anonymous = asyncio.run(_session(_stdio(home), [("list_campaigns", {})]))
    assert deployment["campaign"] not in [c["id"] for c in _text(anonymous[0])["campaigns"]]


def test_stdio_refuses_an_unknown_token(tmp_path):
    from browser_support import prepared_home

    result = run_uprwatch(prepared_home(), "mcp", "--token", "not-a-token", check=False)
    assert result.returncode == 1 and "unknown or revoked" in result.stderr and "Traceback" not in result.stderr


# --- the /mcp/ view's own checks (before the SDK sees a request) -------------------------------------

def test_mcp_view_refuses_a_wrong_token_and_a_large_body_before_reading_it(client, db):
    refused = client.post("/mcp/", "{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer nope")
    assert refused.status_code == 401 and "token" in refused.json()["detail"]
    assert refused["WWW-Authenticate"] == "Bearer"
    too_large = client.generic("POST", "/mcp/", b"{}", content_type="application/json", CONTENT_LENGTH="99999999")
    assert too_large.status_code == 413


def test_mcp_view_budget_answers_429_with_retry_after(client, db, settings):
    settings.UPRWATCH_MCP_REQUESTS_PER_MINUTE = 2
    answers = [client.post("/mcp/", "not json", content_type="application/json", REMOTE_ADDR="192.0.2.77")
               for _ in range(3)]
    assert all(a.status_code < 500 for a in answers)
    assert answers[-1].status_code == 429 and int(answers[-1]["Retry-After"]) >= 1
    assert "a minute" in answers[-1].json()["detail"]
