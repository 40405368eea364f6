from django.urls import path

from communities.views import activities, communities, discussion, learning, members, resources

app_name = "communities"

urlpatterns = [
    path("", communities.community_list, name="list"),
    path("new/", communities.community_edit, name="new"),
    path("organisations/join/<str:token>/", members.organisation_join, name="organisation_join"),
    path("<slug:slug>/", communities.community, name="community"),
    path("<slug:slug>/edit/", communities.community_edit, name="edit"),
    path("<slug:slug>/history/", communities.history, name="history"),
    # Members: joining, leaving, consent
    path("<slug:slug>/ask/", members.ask_to_join, name="ask"),
    path("<slug:slug>/ask-organisation/", members.ask_for_organisation, name="ask_organisation"),
    path("<slug:slug>/invite/", members.invite_city, name="invite_city"),
    path("<slug:slug>/invite-organisation/", members.invite_organisation, name="invite_organisation"),
    path("<slug:slug>/cities/<uuid:member_id>/decide/", members.decide, name="decide"),
    path("<slug:slug>/cities/<uuid:member_id>/answer/", members.answer, name="answer"),
    path("<slug:slug>/cities/<uuid:member_id>/consent/", members.consent, name="consent"),
    path("<slug:slug>/cities/<uuid:member_id>/speakers/", members.speakers, name="speakers"),
    path("<slug:slug>/members/<uuid:member_id>/leave/", members.leave, name="leave"),
    # Activities (mentoring's log) and resources
    path("<slug:slug>/activities/", activities.activity_list, name="activities"),
    path("<slug:slug>/activities/new/", activities.activity_edit, name="activity_new"),
    path("<slug:slug>/activities/<uuid:activity_id>/", activities.activity_edit, name="activity"),
    path("<slug:slug>/activities/<uuid:activity_id>/delete/", activities.activity_delete, name="activity_delete"),
    path("<slug:slug>/resources/", resources.resource_list, name="resources"),
    path("<slug:slug>/resources/<uuid:resource_id>/download/", resources.download, name="resource_download"),
    path("<slug:slug>/resources/<uuid:resource_id>/remove/", resources.remove, name="resource_remove"),
    # The discussion, a thread per key factor
    path("<slug:slug>/discussion/", discussion.threads, name="threads"),
    path("<slug:slug>/discussion/<int:key_factor_id>/", discussion.thread, name="thread"),
    path("<slug:slug>/posts/<uuid:post_id>/moderate/", discussion.moderate, name="moderate"),
    # Learning from each other (learning.py)
    path("<slug:slug>/ratings/", learning.ratings, name="ratings"),
    path("<slug:slug>/summary/", learning.summary, name="summary"),
    path("<slug:slug>/strengths/", learning.strengths, name="strengths"),
]
