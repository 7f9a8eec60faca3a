from api.overtime import views

# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes = [
    ("overtime-requests", views.OvertimeRequestViewSet, "overtime-request"),
    ("overtime-regulations", views.OvertimeRegulationViewSet, "overtime-regulation"),
    ("regulation-documents", views.RegulationDocumentViewSet, "regulation-document"),
]
