from django.urls import path

from egov.lgsp import gateway, population

app_name = "lgsp"

urlpatterns = [
    path("r1/<path:service_path>", gateway.gateway, name="gateway"),
    path("mo-phong/dan-cu/v1/cong-dan/<str:cccd>", population.citizen, name="population-sim"),
]
