from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from courseapp.catalog import selectors
from courseapp.querystring import search_terms


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    courses = selectors.catalog_courses(request.user)
    return render(request, "catalog/index.html", {"courses": courses})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = search_terms(request.GET.get("q", ""), selectors.MAX_QUERY_LENGTH)
    hits = selectors.search_lessons(query)
    return render(request, "catalog/search.html", {"query": query, "hits": hits})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return JsonResponse({"status": "unavailable", "error": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok"})
