from api.reports.views import ReportJobViewSet

# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes = [
    ("report-jobs", ReportJobViewSet, "report-job"),
]
