from django.urls import path

from assessments.views import assessment as views

app_name = "assessments"
urlpatterns = [
    path("workspaces/<uuid:workspace_id>/assessments/start/", views.start_assessment, name="start"),
    path("assessments/<uuid:assessment_id>/", views.assessment_detail, name="assessment"),
    path("assessments/<uuid:assessment_id>/context/", views.context_factors, name="context"),
    path("assessments/<uuid:assessment_id>/submit/", views.submit, name="submit"),
    path("assessments/<uuid:assessment_id>/reopen/", views.reopen, name="reopen"),
    path("assessments/<uuid:assessment_id>/finalise/", views.finalise, name="finalise"),
    path("assessments/<uuid:assessment_id>/factors/<slug:slug>/", views.factor_detail, name="factor"),
]
