from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from courseapp.catalog import selectors
from courseapp.flashcards.selectors import course_flashcards_due
from courseapp.insights.selectors import can_view_insights
from courseapp.progress import selectors as progress_selectors
from courseapp.progress.services import lesson_view_record


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/index.html", {"courses": selectors.catalog_courses()})


@require_GET
def course_outline(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = selectors.course_get(course_slug)
    modules = selectors.course_modules(course)
    published = [lesson for module in modules for lesson in module.lesson_list]
    completed = progress_selectors.completed_lesson_ids(request.user, course)
    context = {
        "course": course,
        "modules": modules,
        "lesson_count": len(published),
        "first_lesson": published[0] if published else None,
        "completed_ids": completed,
        "progress": progress_selectors.course_progress(
            completed, {lesson.pk for lesson in published}
        ),
        "enrolled": progress_selectors.is_enrolled(request.user, course),
        "flashcards_due": course_flashcards_due(course=course, user=request.user),
        "can_view_insights": can_view_insights(request.user, course),
    }
    return render(request, "catalog/course.html", context)


@require_GET
def lesson_detail(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    course = selectors.course_get(course_slug)
    page = selectors.lesson_page(course, lesson_slug, request.user)
    progress = None
    if request.user.is_authenticated:
        progress = lesson_view_record(user=request.user, lesson=page.lesson)
    context = {"course": course, "page": page, "lesson": page.lesson, "progress": progress}
    return render(request, "catalog/lesson.html", context)


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
