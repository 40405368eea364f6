from django.urls import path

from assessments.views import assessment as views
from assessments.views import autosave, history, partners

app_name = "assessments"
urlpatterns = [
    path("workspaces/<uuid:workspace_id>/assessments/start/", views.start_assessment, name="start"),
    path("assessments/<uuid:assessment_id>/", views.assessment_detail, name="assessment"),
    path("assessments/<uuid:assessment_id>/context/", views.context_factors, name="context"),
    path("assessments/<uuid:assessment_id>/submit/", views.submit, name="submit"),
    path("assessments/<uuid:assessment_id>/reopen/", views.reopen, name="reopen"),
    path("assessments/<uuid:assessment_id>/finalise/", views.finalise, name="finalise"),
    path("assessments/<uuid:assessment_id>/factors/<slug:slug>/", views.factor_detail, name="factor"),
    path(
        "assessments/<uuid:assessment_id>/factors/<slug:slug>/partner-rating/",
        partners.rate_as_partner,
        name="partner_rating",
    ),
    path("assessments/<uuid:assessment_id>/factors/<slug:slug>/comments/", partners.add_comment, name="comment"),
    path(
        "assessments/<uuid:assessment_id>/comments/<uuid:comment_id>/delete/",
        partners.delete_comment,
        name="delete_comment",
    ),
    path("assessments/<uuid:assessment_id>/factors/<slug:slug>/autosave/", autosave.autosave, name="autosave"),
    path("assessments/<uuid:assessment_id>/history/", history.history, name="history"),
    path("assessments/<uuid:assessment_id>/visibility/", history.set_visibility, name="visibility"),
    path("assessments/<uuid:assessment_id>/delete/", history.delete, name="delete"),
    path("assessments/<uuid:assessment_id>/restore/", history.restore, name="restore"),
]
