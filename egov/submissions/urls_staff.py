from django.urls import path

from egov.submissions import staff_views

app_name = "submissions_staff"

urlpatterns = [
    path("<str:code>.pdf", staff_views.declaration_pdf, name="declaration-pdf"),
]
