"""The benchmark's own building blocks: its generated course and its request plans."""

import itertools

import pytest
from django.core.management import call_command

from bench.generate import COURSE_SLUG, course_write
from bench.prepare import rotate
from courseapp.catalog.models import Course
from courseapp.quizzes.models import Question


@pytest.mark.django_db
def test_generated_course_imports_with_three_questions_a_lesson(tmp_path):
    course_write(tmp_path, 20)
    call_command("import_content", str(tmp_path), verbosity=0)
    course = Course.objects.get(slug=COURSE_SLUG)
    assert course.lessons.published().count() == 20
    assert course.modules.count() == 2  # 15 lessons a module
    assert Question.objects.filter(course=course).count() == 60
    types = set(Question.objects.filter(course=course).values_list("type", flat=True))
    assert types == {"single", "multiple", "true_false"}
    # Links to the previous lesson resolve, so the import rewrote them.
    second = course.lessons.get(sequence=2)
    first = course.lessons.get(sequence=1)
    assert f'href="{first.get_absolute_url()}"' in second.body_html


def test_plan_pairs_every_request_with_every_cookie_and_varies_the_student():
    requests = [("/a/", ""), ("/b/", "x=1"), ("/c/", "")]
    cookies = ["s=1", "s=2"]
    lines = rotate(requests, cookies, "POST")
    pairs = [tuple(line.split("\t")) for line in lines]
    assert len(pairs) == 6
    assert {(path, cookie) for _, path, cookie, _ in pairs} == {
        (path, cookie) for path, _ in requests for cookie in cookies
    }
    # Concurrent connections take neighbouring lines: they act as different students.
    assert all(a[2] != b[2] for a, b in itertools.pairwise(pairs))
    assert ("POST", "/b/", "s=1", "x=1") in pairs
