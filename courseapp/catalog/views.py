from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from courseapp.catalog import selectors
from courseapp.flashcards.selectors import course_flashcards_due


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/index.html", {"courses": selectors.catalog_courses()})


@require_GET
def course_outline(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = selectors.course_get(course_slug)
    modules = selectors.course_modules(course)
    lesson_count = sum(len(module.lesson_list) for module in modules)
    first = next((module.lesson_list[0] for module in modules), None)
    return render(
        request,
        "catalog/course.html",
        {
            "course": course,
            "modules": modules,
            "lesson_count": lesson_count,
            "first_lesson": first,
            "flashcards_due": course_flashcards_due(course=course, user=request.user),
        },
    )


@require_GET
def lesson_detail(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    course = selectors.course_get(course_slug)
    page = selectors.lesson_page(course, lesson_slug)
    return render(
        request, "catalog/lesson.html", {"course": course, "page": page, "lesson": page.lesson}
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
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
