"""Django ``operations`` built from more than a list literal: module-level names, ``+``,
annotated assignments, starred comprehensions; what cannot be read is reported (ML001),
never passed."""

from __future__ import annotations

from framework_helpers import django_app, line_of, lint_django

HEAD = "from django.db import migrations, models\n\n"
INITIAL = HEAD + (
    "class Migration(migrations.Migration):\n"
    "    operations = [migrations.CreateModel(name='Article', fields=[\n"
    "        ('id', models.BigAutoField(primary_key=True)),\n"
    "        ('title', models.CharField(max_length=120)),\n"
    "        ('views', models.IntegerField(default=0)),\n"
    "    ], options={'db_table': 'articles'})]\n"
)


def _findings(tmp_path, later: str):
    path = django_app(tmp_path, "news", {"0001_initial": INITIAL, "0002_later": HEAD + later})
    return path, [(f.rule, f.span.line) for f in lint_django(path)]


def test_a_module_level_list_plus_a_literal_is_read(tmp_path):
    path, found = _findings(tmp_path, (
        "DROP_OPS = [\n"
        "    migrations.RemoveField(model_name='article', name='views'),\n"
        "]\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = DROP_OPS + [\n"
        "        migrations.RenameField('article', 'title', 'headline'),\n"
        "    ]\n"))
    assert found == [("ML103", line_of(path, "RemoveField")),
                     ("ML101", line_of(path, "RenameField"))]


def test_annotated_operations_and_items_bound_to_names_are_read(tmp_path):
    path, found = _findings(tmp_path, (
        "from django.db.migrations.operations.base import Operation\n\n"
        "remove_views = migrations.RemoveField(model_name='article', name='views')\n"
        "OPS: list[Operation] = [remove_views]\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations: list[Operation] = [*OPS]\n"))
    assert found == [("ML103", line_of(path, "remove_views ="))]


def test_a_starred_comprehension_over_literals_gives_one_operation_per_value(tmp_path):
    path, found = _findings(tmp_path, (
        "GONE = ('views', 'title')\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        *[migrations.RemoveField(model_name='article', name=f) for f in GONE],\n"
        "    ]\n"))
    line = line_of(path, "for f in GONE")
    assert found == [("ML103", line), ("ML103", line)]


def test_operations_that_cannot_be_read_are_reported_and_the_rest_checked(tmp_path):
    path, found = _findings(tmp_path, (
        "from .shared import build_ops\n\n"
        "EXTRA = []\n"
        "EXTRA.append(migrations.RemoveField('article', 'title'))\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = build_ops() + EXTRA + [\n"
        "        *[migrations.RemoveField('article', f) for f in ('a', 'b') if f != 'a'],\n"
        "        migrations.RemoveField('article', 'views'),\n"
        "    ]\n"))
    line = line_of(path, "operations =")
    assert found == [("ML001", line), ("ML001", line),
                     ("ML001", line_of(path, "if f != 'a'")),
                     ("ML103", line_of(path, "'views'"))]


def test_operations_computed_by_a_function_are_not_passed(tmp_path):
    path = django_app(tmp_path, "news", {"0002_built": HEAD + (
        "def build():\n"
        "    return [migrations.RemoveField('article', 'views')]\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = build()\n")})
    (finding,) = lint_django(path)
    assert (finding.rule, finding.span.line) == ("ML001", line_of(path, "operations ="))
    assert "Django operations `build()` cannot be read statically" in finding.message
    assert "it was not checked" in finding.message


def test_earlier_migrations_built_from_names_are_replayed(tmp_path):
    created = HEAD + (
        "CREATE = migrations.CreateModel(name='Article', fields=[\n"
        "    ('id', models.BigAutoField(primary_key=True)),\n"
        "    ('views', models.IntegerField(default=0)),\n"
        "], options={'db_table': 'articles'})\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [CREATE]\n")
    path = django_app(tmp_path, "news", {
        "0001_initial": created,
        "0002_drop": HEAD + ("class Migration(migrations.Migration):\n"
                             "    operations = [migrations.RemoveField('article', 'views')]\n")})
    (finding,) = lint_django(path)
    assert finding.rule == "ML103" and "views of articles" in finding.message
    assert "assumed" not in finding.message  # the db_table of 0001 was seen


def test_a_cycle_of_names_is_reported_where_the_operations_use_it(tmp_path):
    path = django_app(tmp_path, "news", {"0002_cycle": HEAD + (
        "A = B\n"
        "B = A\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [*A, B]\n")})
    starred, item = lint_django(path)
    line = line_of(path, "operations =")
    assert [(f.rule, f.span.line) for f in (starred, item)] == [("ML001", line), ("ML001", line)]
    assert "Django operations `A` cannot be read statically: following the module-level name " \
        "`A` loops back to a name already followed, so it never reaches operations" in starred.message
    assert "`B` cannot be read statically: following the module-level name `B`" in item.message
