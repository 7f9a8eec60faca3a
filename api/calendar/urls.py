from api.calendar import views

# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes = [
    ("holidays", views.HolidayViewSet, "holiday"),
    ("calendar-events", views.CalendarEventViewSet, "calendar-event"),
    ("employee-leaves", views.EmployeeLeaveViewSet, "employee-leave"),
]
