"""Nothing becomes public without an editor: a matrix of role × object × action × published state,
through the services, the web and the API alike.

Personas: Alice admins the coalition, Bob contributes to it, Edith edits for it, Vera views it, Charlie
admins another organisation; ``None`` is an anonymous visitor. After each action an anonymous visitor
looks through every surface (page, API, file download) and must see exactly what an editor let out.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from uprwatch.errors import NotFound
from uprwatch.records.models import Recommendation
from uprwatch.tracking import assessments, campaigns, events, organisations
from uprwatch.tracking.errors import NotAllowed
from uprwatch.tracking.models import Campaign, EvidenceItem
from uprwatch.tracking.permissions import get_visible

ROLES = ["anonymous", "outsider", "viewer", "contributor", "editor"]
SURFACES = ["service", "web", "api"]
PDF = b"%PDF-1.4 evidence body"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The matrix makes hundreds of users; the real hasher's cost is not what is tested here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(coalition, django_user_model):
    edith = django_user_model.objects.create_user("edith", "edith@example.org", "edith-password-1")
    vera = django_user_model.objects.create_user("vera", "vera@example.org", "vera-password-1")
    organisations.set_membership(coalition.org, edith, "editor")
    organisations.set_membership(coalition.org, vera, "viewer")
    return {"anonymous": None, "outsider": coalition.charlie, "viewer": vera, "contributor": coalition.bob,
            "editor": edith, "admin": coalition.alice}


@pytest.fixture
def tokens(people):
    return {role: organisations.create_token(user)[1] for role, user in people.items() if user is not None}


@pytest.fixture
def recs():
    return list(Recommendation.objects.filter(review__state__iso3="CHN").order_by("pk").values_list("pk", flat=True)[:3])


def _parent(kind: str, state: str, coalition, recs, surface: str = "service"):
    publish = state == "published"
    if kind == "assessment":
        # one assessment per organisation and recommendation: each surface assesses its own
        return assessments.save_assessment(coalition.alice, coalition.org, recs[SURFACES.index(surface)],
                                           status="not_implemented", rationale="r", publish=publish)
    return events.create_event(coalition.alice, coalition.org, title="Forced returns", occurred_on="2023-10-09",
                               visibility="published" if publish else "private")


def _client_as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _api(client, tokens, role, method, path, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"} if role != "anonymous" else {}
    client.logout()
    return getattr(client, method)(f"/api/tracking{path}", **headers, **extra)


def _refused(surface: str, role: str, outcome) -> None:
    """What a refusal looks like on each surface (anonymous: sign in; outsider to a draft: not found)."""
    if surface == "service":
        assert isinstance(outcome, NotAllowed | NotFound), outcome
    elif surface == "web":
        assert outcome.status_code in (302, 403, 404), outcome.status_code
        if outcome.status_code == 302:
            assert "/accounts/login/" in outcome["Location"]
    else:
        assert outcome.status_code in ((401,) if role == "anonymous" else (403, 404)), outcome.content


def _attempt(func):
    try:
        return func()
    except (NotAllowed, NotFound) as exc:
        return exc


def _anonymous_sees_evidence(client, item: EvidenceItem) -> dict[str, bool]:
    """Whether an anonymous visitor finds the evidence on each surface."""
    client.logout()
    parent = item.parent
    kind = "assessments" if item.assessment_id else "events"
    page = client.get(parent.get_absolute_url())
    api_parent = client.get(f"/api/tracking/{kind}/{parent.pk}")
    return {
        "page": page.status_code == 200 and item.citation in page.content.decode(),
        "api parent": api_parent.status_code == 200 and any(e["id"] == item.pk for e in api_parent.json()["evidence"]),
        "api item": client.get(f"/api/tracking/evidence/{item.pk}").status_code == 200,
        "file": client.get(f"/tracking/evidence/{item.pk}/file/").status_code == 200,
        "service": _attempt(lambda: get_visible(EvidenceItem, None, item.pk)) == item,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["assessment", "event"])
@pytest.mark.parametrize("state", ["published", "draft"])
def test_add_evidence(client, coalition, people, tokens, recs, role, kind, state):
    for surface in SURFACES:
        _add_evidence(client, coalition, people, tokens, recs, surface, role, kind, state)


def _add_evidence(client, coalition, people, tokens, recs, surface, role, kind, state):
    parent = _parent(kind, state, coalition, recs, surface)
    citation = f"Evidence by {role} via {surface}"
    user = people[role]
    if surface == "service":
        outcome = _attempt(lambda: assessments.add_evidence(
            user, parent, citation=citation, upload=SimpleUploadedFile("report.pdf", PDF)))
    elif surface == "web":
        outcome = _client_as(client, user).post(
            f"{parent.get_absolute_url()}evidence/", {"citation": citation, "file": SimpleUploadedFile("report.pdf", PDF)})
    else:
        upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
        outcome = _api(client, tokens, role, "post", f"/{kind}s/{parent.pk}/evidence",
                       data={"citation": citation, "file": upload})
    item = EvidenceItem.objects.filter(citation=citation).first()
    if role in ("anonymous", "outsider", "viewer"):
        _refused(surface, role, outcome)
        assert item is None
        return
    assert item is not None, (surface, getattr(outcome, "content", outcome))
    assert item.file.read() == PDF
    expected = "published" if role == "editor" else "private"
    assert item.visibility == expected, surface
    seen = _anonymous_sees_evidence(client, item)
    public = role == "editor" and state == "published"
    assert seen == dict.fromkeys(seen, public), surface
    # members always see it, marked as a draft until published
    _client_as(client, people["viewer"])
    page = client.get(parent.get_absolute_url()).content.decode()
    assert citation in page and (("draft" in page) if expected == "private" else True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", ["published", "draft"])
def test_publish_evidence(client, coalition, people, tokens, recs, role, state):
    for surface in SURFACES:
        _publish_evidence(client, coalition, people, tokens, recs, surface, role, state)


def _publish_evidence(client, coalition, people, tokens, recs, surface, role, state):
    parent = _parent("event", state, coalition, recs)
    item = assessments.add_evidence(coalition.bob, parent, citation="Evidence from a contributor",
                                    upload=SimpleUploadedFile("r.pdf", PDF))
    assert item.visibility == "private"
    user = people[role]
    if surface == "service":
        outcome = _attempt(lambda: assessments.publish(user, item))
    elif surface == "web":
        outcome = _client_as(client, user).post(f"/tracking/evidence/{item.pk}/publish/")
    else:
        outcome = _api(client, tokens, role, "post", f"/evidence/{item.pk}/publish")
    item.refresh_from_db()
    if role != "editor":
        _refused(surface, role, outcome)
        assert item.visibility == "private"
        assert not any(_anonymous_sees_evidence(client, item).values())
        return
    assert item.visibility == "published", surface
    seen = _anonymous_sees_evidence(client, item)
    assert seen == dict.fromkeys(seen, state == "published"), surface


CAMPAIGN_ACTIONS = ["rename", "describe", "saved search", "pin", "exclude"]


def _campaign_action(surface, action, user, role, campaign, recs, client, tokens):
    fields = {"rename": {"name": "Renamed by someone"}, "describe": {"description": "New description"},
              "saved search": {"query": "q=torture"}}
    if surface == "service":
        if action in fields:
            return _attempt(lambda: campaigns.update_campaign(user, campaign.pk, version=campaign.version,
                                                              **fields[action]))
        return _attempt(lambda: campaigns.pin(user, campaign, recs[2], exclude=action == "exclude"))
    if surface == "web":
        web = _client_as(client, user)
        if action in fields:
            form = {"name": campaign.name, "description": campaign.description, "query": campaign.query,
                    "states": "", "pinned": str(recs[1]), "version": campaign.version, **fields[action]}
            return web.post(f"/tracking/campaigns/{campaign.pk}/edit/", form)
        return web.post(f"/tracking/campaigns/{campaign.pk}/pin/", {"recommendation": recs[2], "action": action})
    if action in fields:
        import json

        return _api(client, tokens, role, "patch", f"/campaigns/{campaign.pk}",
                    data=json.dumps({"version": campaign.version, **fields[action]}), content_type="application/json")
    # The API changes pins and exclusions through the campaign's lists.
    key = "pinned" if action == "pin" else "excluded"
    import json

    return _api(client, tokens, role, "patch", f"/campaigns/{campaign.pk}",
                data=json.dumps({"version": campaign.version, key: [recs[1], recs[2]]}),
                content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", CAMPAIGN_ACTIONS)
@pytest.mark.parametrize("state", ["published", "draft"])
def test_campaign_edits(client, coalition, people, tokens, recs, role, action, state):
    for surface in SURFACES:
        _campaign_edit(client, coalition, people, tokens, recs, surface, role, action, state)


def _campaign_edit(client, coalition, people, tokens, recs, surface, role, action, state):
    campaign = campaigns.create_campaign(coalition.alice, coalition.org, name="Escapees", description="before",
                                          query="q=refoulement", pinned=[recs[1]],
                                          visibility="published" if state == "published" else "private")
    before = (campaign.name, campaign.description, campaign.query, campaign.version)
    outcome = _campaign_action(surface, action, people[role], role, campaign, recs, client, tokens)
    campaign.refresh_from_db()
    if role in ("anonymous", "outsider", "viewer"):
        _refused(surface, role, outcome)
        assert (campaign.name, campaign.description, campaign.query, campaign.version) == before
        assert campaign.visibility == ("published" if state == "published" else "private")
        return
    assert campaign.version == before[3] + 1, getattr(outcome, "content", outcome)
    public = state == "published" and role == "editor"
    assert campaign.visibility == ("published" if public else "private")
    client.logout()
    assert (client.get(f"/tracking/campaigns/{campaign.pk}/").status_code == 200) == public
    assert (client.get(f"/api/tracking/campaigns/{campaign.pk}").status_code == 200) == public
    assert any(w.pk == campaign.pk for w in campaigns.visible_campaigns(None)) == public
    if not public:
        # the organisation sees the change, marked as a draft; an editor publishes it again
        page = _client_as(client, people["viewer"]).get(f"/tracking/campaigns/{campaign.pk}/").content.decode()
        assert "draft" in page
        assessments.publish(people["editor"], campaign)
        client.logout()
        assert client.get(f"/api/tracking/campaigns/{campaign.pk}").json()["version"] == campaign.version + 1


def test_private_objects_and_missing_ones_answer_alike(client, coalition, recs):
    """The API's 404 body does not tell another organisation's draft from nothing at all."""
    draft = assessments.save_assessment(coalition.bob, coalition.org, recs[0], status="unknown")
    event = events.create_event(coalition.bob, coalition.org, title="x", occurred_on="2023-01-01")
    item = assessments.add_evidence(coalition.bob, event, citation="c")
    campaign = campaigns.create_campaign(coalition.bob, coalition.org, name="w")
    token = organisations.create_token(coalition.charlie)[1]
    for path, pk in (("assessments", draft.pk), ("events", event.pk), ("evidence", item.pk),
                     ("campaigns", campaign.pk)):
        for headers in ({}, {"HTTP_AUTHORIZATION": f"Bearer {token}"}):
            private = client.get(f"/api/tracking/{path}/{pk}", **headers)
            missing = client.get(f"/api/tracking/{path}/999999999", **headers)
            assert private.status_code == missing.status_code == 404
            assert private.content == missing.content
    assert Campaign.objects.filter(pk=campaign.pk).exists()
