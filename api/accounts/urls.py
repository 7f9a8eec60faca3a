from api.accounts import views

# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes = [
    ("users/access-control", views.AccessControlViewSet, "access-control"),
]
