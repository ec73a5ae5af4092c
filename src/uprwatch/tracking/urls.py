"""Tracking pages and the accounts pages (login, logout, password reset by email).

The accounts pages are Django's own auth views (``django.contrib.auth.urls``) mounted under
``accounts/``; they are listed one by one because this module has the ``tracking`` namespace and
the views' success links must point inside it.
"""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from uprwatch.tracking import views
from uprwatch.ui.throttle import ThrottledPasswordResetView

app_name = "tracking"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path(
        "accounts/password_reset/",
        ThrottledPasswordResetView.as_view(
            success_url=reverse_lazy("tracking:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path("accounts/password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("tracking:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/profile/", views.profile, name="profile"),
    path("tracking/", views.dashboard, name="dashboard"),
    path("tracking/notifications/", views.notifications, name="notifications"),
    path("tracking/preferences/", views.preferences, name="preferences"),
    path("tracking/tokens/", views.tokens, name="tokens"),
    path("tracking/orgs/<slug:slug>/", views.organisation, name="organisation"),
    path("tracking/orgs/<slug:slug>/audit/", views.audit_log, name="audit"),
    path("tracking/invitations/<str:token>/", views.invitation, name="invitation"),
    path("tracking/campaigns/", views.campaign_list, name="campaigns"),
    path("tracking/campaigns/new/", views.campaign_form, name="campaign_new"),
    path("tracking/campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("tracking/campaigns/<int:pk>/edit/", views.campaign_form, name="campaign_edit"),
    path("tracking/campaigns/<int:pk>/pin/", views.campaign_pin, name="campaign_pin"),
    path("tracking/campaigns/<int:pk>/publish/", views.campaign_publish, name="campaign_publish"),
    path("tracking/campaigns/<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("tracking/recommendations/<int:pk>/assess/", views.assess, name="assess"),
    path("tracking/recommendations/<int:pk>/pin/", views.recommendation_pin, name="recommendation_pin"),
    path("tracking/campaigns/from-search/", views.save_search, name="save_search"),
    path("tracking/assessments/<int:pk>/", views.assessment, name="assessment"),
    path("tracking/assessments/<int:pk>/publish/", views.assessment_publish, name="assessment_publish"),
    path("tracking/assessments/<int:pk>/evidence/", views.assessment_evidence, name="assessment_evidence"),
    path("tracking/events/", views.event_list, name="events"),
    path("tracking/events/new/", views.event_form, name="event_new"),
    path("tracking/events/<int:pk>/", views.event, name="event"),
    path("tracking/events/<int:pk>/edit/", views.event_form, name="event_edit"),
    path("tracking/events/<int:pk>/publish/", views.event_publish, name="event_publish"),
    path("tracking/events/<int:pk>/evidence/", views.event_evidence, name="event_evidence"),
    path("tracking/events/<int:pk>/delete/", views.event_delete, name="event_delete"),
    path("tracking/evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("tracking/evidence/<int:pk>/publish/", views.evidence_publish, name="evidence_publish"),
    path("tracking/evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("tracking/states/<slug:slug>/timeline/", views.state_timeline, name="state_timeline"),
]
