from django.urls import URLPattern, path

from pages.views import city, factor, reports, rounds, workspace

app_name = "pages"
urlpatterns: list[URLPattern] = [
    path("cities/<slug:slug>/", city.city, name="city"),
    path("workspaces/<uuid:workspace_id>/", workspace.workspace, name="workspace"),
    path("workspaces/<uuid:workspace_id>/invite/", workspace.invite, name="invite"),
    path("workspaces/<uuid:workspace_id>/members/<uuid:member_id>/role/", workspace.change_role, name="change_role"),
    path("workspaces/<uuid:workspace_id>/assessments/start/", workspace.start_assessment, name="start_assessment"),
    path("assessments/<uuid:assessment_id>/factors/<slug:slug>/", factor.factor, name="factor"),
    path(
        "assessments/<uuid:assessment_id>/factors/<slug:slug>/partner-rating/",
        factor.partner_rating,
        name="partner_rating",
    ),
    path("assessments/<uuid:assessment_id>/factors/<slug:slug>/comments/", factor.comment, name="comment"),
    path("assessments/<uuid:assessment_id>/next-round/", rounds.start_next_round, name="next_round"),
    path("assessments/<uuid:assessment_id>/report.pdf", reports.report, name="report_pdf"),
]
