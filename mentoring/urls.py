from django.urls import path

from mentoring.views import activities as activity_views
from mentoring.views import candidates, mentorships, notifications, reading, schemes, signoff
from mentoring.views import reviews as review_views

app_name = "mentoring"

urlpatterns = [
    path("", mentorships.overview, name="overview"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.read_all, name="read_all"),
    path("notifications/mail/", notifications.mail_choices, name="mail_choices"),
    path("offers/<uuid:workspace_id>/", mentorships.offer, name="offer"),
    path("assessments/<uuid:assessment_id>/candidates/", candidates.candidates, name="candidates"),
    path("assessments/<uuid:assessment_id>/request/", candidates.request_mentorship, name="request"),
    path("schemes/", schemes.scheme_list, name="schemes"),
    path("schemes/new/", schemes.scheme_edit, name="scheme_new"),
    path("schemes/<uuid:scheme_id>/", schemes.scheme_edit, name="scheme"),
    path("pair/", schemes.pair, name="pair"),
    path("<uuid:mentorship_id>/", mentorships.mentorship, name="mentorship"),
    path("<uuid:mentorship_id>/withdraw/", mentorships.withdraw, name="withdraw"),
    path("<uuid:mentorship_id>/accept/", mentorships.accept, name="accept"),
    path("<uuid:mentorship_id>/decline/", mentorships.decline, name="decline"),
    path("<uuid:mentorship_id>/mentors/", mentorships.mentors, name="mentors"),
    path("<uuid:mentorship_id>/consent/", mentorships.consent, name="consent"),
    path("<uuid:mentorship_id>/end/", mentorships.end, name="end"),
    path("<uuid:mentorship_id>/assessments/<uuid:assessment_id>/", reading.assessment, name="shared_assessment"),
    path("<uuid:mentorship_id>/plans/<uuid:assessment_id>/", reading.plan, name="shared_plan"),
    path(
        "<uuid:mentorship_id>/assessments/<uuid:assessment_id>/factors/<slug:slug>/",
        reading.factor,
        name="shared_factor",
    ),
    # ---- Reviews and comments (mentoring/views/reviews.py) ----
    path(
        "<uuid:mentorship_id>/assessments/<uuid:assessment_id>/factors/<slug:slug>/review/",
        review_views.review,
        name="review",
    ),
    path(
        "<uuid:mentorship_id>/assessments/<uuid:assessment_id>/factors/<slug:slug>/comments/",
        review_views.comment,
        name="comment",
    ),
    # ---- Activities and the calendar feed (mentoring/views/activities.py) ----
    path("<uuid:mentorship_id>/activities/", activity_views.activity_list, name="activities"),
    path("<uuid:mentorship_id>/activities/calendar/", activity_views.activity_calendar, name="activity_calendar"),
    path("<uuid:mentorship_id>/activities/new/", activity_views.activity_new, name="activity_new"),
    path("activities/<uuid:activity_id>/", activity_views.activity, name="activity"),
    path("activities/<uuid:activity_id>/edit/", activity_views.activity_edit, name="activity_edit"),
    path("activities/<uuid:activity_id>/delete/", activity_views.activity_delete, name="activity_delete"),
    path("activities/<uuid:activity_id>/attachments/", activity_views.attachment_add, name="attachment_add"),
    path("attachments/<uuid:attachment_id>/", activity_views.attachment_download, name="attachment"),
    path("attachments/<uuid:attachment_id>/remove/", activity_views.attachment_remove, name="attachment_remove"),
    path("calendar/", activity_views.feed, name="feed"),
    path("calendar/new/", activity_views.feed_new, name="feed_new"),
    path("calendar/revoke/", activity_views.feed_revoke, name="feed_revoke"),
    path("calendar/<str:token>.ics", activity_views.calendar_feed, name="calendar_feed"),
    # ---- Sign-off and the mentorship report (mentoring/views/signoff.py) ----
    path("<uuid:mentorship_id>/plans/<uuid:assessment_id>/sign-off/", signoff.sign_off, name="sign_off"),
    path("<uuid:mentorship_id>/plans/<uuid:assessment_id>/sign/", signoff.sign, name="sign"),
    path("<uuid:mentorship_id>/report/", signoff.report, name="report"),
    path("<uuid:mentorship_id>/report.pdf", signoff.report_pdf, name="report_pdf"),
]
