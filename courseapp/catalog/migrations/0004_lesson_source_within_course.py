"""Lesson.source_path becomes the path within the course folder ("01-basics/02-run.md").

It used to be stored as the import was typed ("content/demo/…", "/app/content/demo/…"), so the
same tree imported by another spelling looked changed. Lessons always sit one module folder deep,
so the last two components are the path within the course. Only this column changes: no lesson,
progress row, attempt or review is touched.
"""

from django.db import migrations


def to_path_within_course(apps, schema_editor):
    Lesson = apps.get_model("catalog", "Lesson")
    changed = []
    for lesson in Lesson.objects.only("source_path").iterator():
        within = "/".join(lesson.source_path.replace("\\", "/").split("/")[-2:])
        if within != lesson.source_path:
            lesson.source_path = within
            changed.append(lesson)
    Lesson.objects.bulk_update(changed, ["source_path"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_course_instructors")]

    operations = [migrations.RunPython(to_path_within_course, migrations.RunPython.noop)]
