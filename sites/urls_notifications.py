"""The notification centre (issue 18), included by the composition root under /notifications/."""

from django.urls import path

from .views import notifications

app_name = "notifications"

urlpatterns = [
    path("", notifications.notification_list, name="list"),
    path("tout-lu/", notifications.notification_read_all, name="read_all"),
    path("preferences/", notifications.notification_preferences, name="preferences"),
    path("<int:pk>/", notifications.notification_open, name="open"),
    path("<int:pk>/lue/", notifications.notification_read, name="read"),
]
