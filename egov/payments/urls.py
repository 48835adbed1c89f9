from django.urls import path

from egov.payments import simulator, views

app_name = "payments"

urlpatterns = [
    path("ho-so/<str:code>/", views.pay, name="pay"),
    path("ket-qua/", views.payment_return, name="return"),
    path("bien-lai/<str:reference>/", views.receipt, name="receipt"),
    path("doi-soat/", views.reconciliation, name="reconciliation"),
    # The national payment platform's stand-in (404 unless EGOV_SIMULATORS).
    path("mo-phong/", simulator.pay, name="sim-pay"),
    path(
        "mo-phong/giao-dich/<str:reference>",
        simulator.transaction_status,
        name="sim-transaction",
    ),
]
