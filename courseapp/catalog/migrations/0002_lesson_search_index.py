from django.db import migrations

# A GIN index is PostgreSQL's; on SQLite search falls back to substring matching.
CREATE = "CREATE INDEX IF NOT EXISTS lesson_search_vector_gin ON catalog_lesson USING gin (search_vector)"
DROP = "DROP INDEX IF EXISTS lesson_search_vector_gin"


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP))]
