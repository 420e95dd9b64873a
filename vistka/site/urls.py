from django.conf import settings
from django.urls import path, re_path
from django.views.static import serve

from vistka.site import consent, views

urlpatterns = [
    path("", views.home, name="home"),
    path("article/<int:pk>/comment/", views.post_comment, name="post_comment"),
    path("article/<int:pk>/<slug:slug>/", views.article, name="article"),
    path("article/<int:pk>/", views.article_redirect, name="article_short"),
    path("article/<int:pk>/<slug:slug>/original/", views.original, name="article_original"),
    path("story/<int:pk>/", views.story, name="story"),
    path("consent/", consent.record_choice, name="consent"),
    path("privacy/", views.privacy, name="privacy"),
    # Lead images are our own resized copies; readers never load them from the outlet.
    re_path(r"^media/(?P<path>images/[\w.-]+)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
