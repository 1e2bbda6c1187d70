from django.http import HttpRequest, HttpResponse
from django.urls import path

from courseapp.urls import urlpatterns as site_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    """The least a request can cost: the whole middleware stack and a constant answer."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *site_urlpatterns]
