from django.urls import path

from api.reports.views import OvertimeExportViewSet, ReportJobViewSet

# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes = [
    ("report-jobs", ReportJobViewSet, "report-job"),
]

# Plain paths, placed before the router by api/urls.py: the router would read
# "overtime-requests/export/" as the detail route of a request whose id is "export".
v1_paths = [
    path(
        "overtime-requests/export/",
        OvertimeExportViewSet.as_view({"post": "export"}),
        name="overtime-request-export",
    ),
]
