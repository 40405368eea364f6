from django.urls import path

from assessments.views import assessment as views
from assessments.views import autosave, history, partners
from assessments.views import reports as report_views
from assessments.views import rounds as round_views

app_name = "assessments"
urlpatterns = [
    path("assessments/<uuid:assessment_id>/", views.assessment_detail, name="assessment"),
    path("assessments/<uuid:assessment_id>/context/", views.context_factors, name="context"),
    path("assessments/<uuid:assessment_id>/submit/", views.submit, name="submit"),
    path("assessments/<uuid:assessment_id>/reopen/", views.reopen, name="reopen"),
    path("assessments/<uuid:assessment_id>/finalise/", views.finalise, name="finalise"),
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
    # Reports and workbooks (assessments/views/reports.py)
    path("assessments/<uuid:assessment_id>/workbook.xlsx", report_views.workbook, name="workbook"),
    path("assessments/<uuid:assessment_id>/ratings.csv", report_views.ratings, name="ratings_csv"),
    path("assessments/<uuid:assessment_id>/import/", report_views.import_workbook, name="import_workbook"),
    # Rounds (assessments/views/rounds.py)
    path("assessments/<uuid:assessment_id>/factors/<slug:slug>/keep/", round_views.keep_factor, name="keep_factor"),
    path(
        "workspaces/<uuid:workspace_id>/benchmarks/<slug:benchmark_slug>/progress/",
        round_views.progress,
        name="progress",
    ),
]
