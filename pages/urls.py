from django.urls import URLPattern, path

from pages.views import city, factor, library, reports, results, rounds, workspace

app_name = "pages"
urlpatterns: list[URLPattern] = [
    # The library: benchmarks with their practices (benchmarks, practices)
    path("", library.home, name="home"),
    path("benchmarks/<slug:slug>/", library.benchmark_detail, name="benchmark"),
    path("benchmarks/<slug:slug>/print/", library.benchmark_print, name="benchmark_print"),
    path("benchmarks/<slug:slug>/pdf/", library.benchmark_pdf, name="benchmark_pdf"),
    path("benchmarks/<slug:slug>/versions/<int:number>/", library.benchmark_detail, name="benchmark_version"),
    path("benchmarks/<slug:slug>/factors/<slug:factor>/", library.key_factor_detail, name="key_factor"),
    path(
        "benchmarks/<slug:slug>/versions/<int:number>/factors/<slug:factor>/",
        library.key_factor_detail,
        name="key_factor_version",
    ),
    # A city, a workspace (cities, assessments, practices)
    path("cities/<slug:slug>/", city.city, name="city"),
    path("workspaces/<uuid:workspace_id>/", workspace.workspace, name="workspace"),
    path("workspaces/<uuid:workspace_id>/invite/", workspace.invite, name="invite"),
    path("workspaces/<uuid:workspace_id>/members/<uuid:member_id>/role/", workspace.change_role, name="change_role"),
    path("workspaces/<uuid:workspace_id>/assessments/start/", workspace.start_assessment, name="start_assessment"),
    # A self-assessment's key factor, next round and report (assessments, evidence, actionplans)
    path("assessments/<uuid:assessment_id>/factors/<slug:slug>/", factor.factor, name="factor"),
    path(
        "assessments/<uuid:assessment_id>/factors/<slug:slug>/partner-rating/",
        factor.partner_rating,
        name="partner_rating",
    ),
    path("assessments/<uuid:assessment_id>/factors/<slug:slug>/comments/", factor.comment, name="comment"),
    path("assessments/<uuid:assessment_id>/results/", results.results, name="results"),
    path("assessments/<uuid:assessment_id>/next-round/", rounds.start_next_round, name="next_round"),
    path("assessments/<uuid:assessment_id>/report.pdf", reports.report, name="report_pdf"),
]
