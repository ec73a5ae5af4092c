"""Tracking's migrations on a database made before them: campaigns were ``Watchlist`` until 0004.

Each test builds a fresh database in a child process (the suite's own database is already at the
newest migration): migrated only up to tracking 0003 as the code of the time did, data put in with the
models of the time, then ``migrate`` as an upgrade runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # two migrations of a fresh database (~15 s)

UPGRADE = r"""
import json

import django

django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The database as the code before the rename left it.
call_command("migrate", "tracking", "0003_evidence_visibility", interactive=False, verbosity=0)
old = MigrationExecutor(connection).loader.project_state(("tracking", "0003_evidence_visibility")).apps
State, Cycle, Session, Review, Recommendation = (old.get_model("records", name) for name in
                                                 ("State", "Cycle", "Session", "Review", "Recommendation"))
User, Permission = old.get_model("auth", "User"), old.get_model("auth", "Permission")
Organisation, Watchlist, Notification = (old.get_model("tracking", name) for name in
                                         ("Organisation", "Watchlist", "Notification"))
china = State.objects.create(iso3="CHN", iso2="CN", name="China", slug="china")
Cycle.objects.create(number=4, first_session=31, last_session=44)
Session.objects.create(number=31, cycle_id=4)
review = Review.objects.create(state=china, session_id=31)
recs = [Recommendation.objects.create(review=review, text=f"Stop refoulement {i}").pk for i in range(3)]
alice = User.objects.create(username="alice")
org = Organisation.objects.create(name="Coalition", slug="coalition")
old_campaign = Watchlist.objects.create(organisation=org, name="Escapees")
old_campaign.pinned.set(recs[:2])
old_campaign.excluded.set(recs[2:])
old_campaign.states.set([china])
Notification.objects.create(user=alice, kind="watchlist_match", key="k", message="m", watchlist=old_campaign)
alice.user_permissions.add(Permission.objects.get(content_type__app_label="tracking", codename="change_watchlist"))

# The upgrade.
call_command("migrate", interactive=False, verbosity=0)

from django.contrib.auth.models import User as NowUser
from django.contrib.contenttypes.models import ContentType

from uprwatch.tracking import campaigns
from uprwatch.tracking.models import Campaign
from uprwatch.tracking.models import Notification as NowNotification

campaign = Campaign.objects.get()
tables = set(connection.introspection.table_names())
print(json.dumps({
    "campaign": [campaign.pk, campaign.name, campaign.organisation.name],
    "pinned": sorted(campaign.pinned.values_list("pk", flat=True)),
    "excluded": sorted(campaign.excluded.values_list("pk", flat=True)),
    "states": sorted(campaign.states.values_list("iso3", flat=True)),
    "followed": sorted(campaigns.recommendation_ids(campaign)),
    "notification": NowNotification.objects.get().campaign_id,
    "recs": recs,
    "tables": sorted(t for t in tables if "watchlist" in t or "campaign" in t),
    "content_types": sorted(ContentType.objects.filter(app_label="tracking", model__in=["watchlist", "campaign"])
                            .values_list("model", flat=True)),
    "may_change": NowUser.objects.get(username="alice").has_perm("tracking.change_campaign"),
    "permissions": sorted(p.split(".")[1] for p in NowUser.objects.get(username="alice").get_all_permissions()),
}))
"""


def _upgrade(home: Path, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(UPRWATCH_HOME=str(home), DJANGO_SETTINGS_MODULE="uprwatch.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run([sys.executable, "-c", UPGRADE], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check(found: dict) -> None:
    recs = found["recs"]
    assert found["campaign"] == [1, "Escapees", "Coalition"]
    assert found["pinned"] == recs[:2] and found["excluded"] == recs[2:] and found["states"] == ["CHN"]
    assert found["followed"] == recs[:2]
    assert found["notification"] == 1
    # RenameModel renamed the table and the many-to-many tables (and their columns): no watchlist is left.
    assert found["tables"] == ["tracking_campaign", "tracking_campaign_excluded", "tracking_campaign_pinned",
                               "tracking_campaign_states"]
    # One content type, renamed; the grant of the old permission is the grant of the new one.
    assert found["content_types"] == ["campaign"]
    assert found["may_change"] and found["permissions"] == ["change_campaign"]


def test_a_sqlite_database_made_before_the_rename_migrates(tmp_path):
    _check(_upgrade(tmp_path, None))


@pytest.mark.postgres
def test_a_postgresql_database_made_before_the_rename_migrates(tmp_path):
    from test_dump import fresh_postgres_database, postgres_url

    base = postgres_url()
    if not base:
        pytest.skip("no PostgreSQL: set UPRWATCH_TEST_POSTGRES_URL (the CI's PostgreSQL pass runs this)")
    url, drop = fresh_postgres_database(base)
    try:
        _check(_upgrade(tmp_path, url))
    finally:
        drop()
