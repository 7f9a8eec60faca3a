from api.purchasing import views

# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes = [
    ("purchase-requests", views.PurchaseRequestViewSet, "purchase-request"),
    ("assets", views.AssetViewSet, "asset"),
]
