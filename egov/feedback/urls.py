from django.urls import path

from egov.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.ratings, name="ratings"),
    path("ho-so/<str:code>/", views.rate, name="rate"),
    path("hoi-dap/", views.faq, name="faq"),
    path("hoi-dap/hoi/", views.ask, name="ask"),
    path("can-bo/ho-so/<str:code>/", views.desk_rate, name="desk_rate"),
    path("can-bo/cau-hoi/", views.questions, name="questions"),
    path("can-bo/cau-hoi/<int:pk>/", views.answer, name="answer"),
    path("can-bo/nhan-xet/", views.comments, name="comments"),
    path("can-bo/nhan-xet/<int:pk>/", views.moderate, name="moderate"),
]
