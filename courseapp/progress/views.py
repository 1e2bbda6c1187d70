from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from courseapp.catalog import selectors as catalog
from courseapp.catalog.models import Lesson
from courseapp.progress import services


@login_required
@require_POST
def lesson_complete(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    lesson = _lesson(course_slug, lesson_slug)
    progress = services.lesson_complete(user=request.user, lesson=lesson)
    return _completion(request, lesson, progress)


@login_required
@require_POST
def lesson_uncomplete(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    lesson = _lesson(course_slug, lesson_slug)
    progress = services.lesson_uncomplete(user=request.user, lesson=lesson)
    return _completion(request, lesson, progress)


@login_required
@require_POST
def course_start(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = catalog.course_get(course_slug)
    services.course_enroll(user=request.user, course=course)
    modules = catalog.course_modules(course)
    first = next((module.lesson_list[0] for module in modules), None)
    if first is None:
        return redirect(course.get_absolute_url())
    return redirect("pages:lesson", course.slug, first.slug)


def _lesson(course_slug: str, lesson_slug: str) -> Lesson:
    course = catalog.course_get(course_slug)
    lesson = get_object_or_404(Lesson.objects.published(), course=course, slug=lesson_slug)
    lesson.course = course
    return lesson


def _completion(request: HttpRequest, lesson: Lesson, progress) -> HttpResponse:
    if request.htmx:
        context = {"lesson": lesson, "course": lesson.course, "completed": progress.completed}
        return render(request, "progress/_completion.html", context)
    return redirect(lesson.get_absolute_url())
