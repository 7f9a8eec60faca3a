from api.org import views

# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes = [
    ("departments", views.DepartmentViewSet, "department"),
    ("employees", views.EmployeeViewSet, "employee"),
    ("projects", views.ProjectViewSet, "project"),
]
