"""Property-based fuzzing of the content reader: whatever a lesson file holds (random Markdown,
front matter, quiz fences of every type with random YAML), reading it gives content errors or
a lesson, never an exception."""

import shutil
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseapp.pipeline.sources import read_content
from courseapp.quizzes.types import question_types
from tests.conftest import FIXTURE_CONTENT

LESSON = "demo/01-first-steps/01-welcome.md"

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(string.ascii_lowercase + "_", max_size=12), children, max_size=5),
    ),
    max_leaves=20,
)
fence_keys = st.sampled_from(
    [
        "id",
        "type",
        "prompt",
        "choices",
        "answer",
        "accept",
        "accept_regex",
        "tolerance",
        "checks",
        "solution",
        "starter",
        "explanation",
        "shuffle",
        "case_sensitive",
    ]
)


def _yaml_text(value) -> str:
    import yaml

    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=False)


quiz_fences = st.builds(
    lambda kind, data, raw: (
        "```quiz\n"
        + (
            _yaml_text({"id": "fuzzed", "type": kind, "prompt": "P", **data})
            if raw is None
            else raw
        )
        + "```\n"
    ),
    st.sampled_from(sorted(question_types())),
    st.dictionaries(fence_keys, yaml_values, max_size=6),
    st.one_of(st.none(), st.text(max_size=200)),
)
markdown = st.lists(
    st.one_of(
        st.text(max_size=200),
        quiz_fences,
        st.sampled_from(["# T\n", "```\n", "---\n", "[x](../x.md)\n", "<script>x</script>\n"]),
    ),
    max_size=6,
).map("\n".join)
front_matter = st.one_of(
    st.just("---\ntitle: Fuzzed\n---\n"),
    st.text(max_size=120).map(lambda text: f"---\n{text}\n---\n"),
    st.dictionaries(st.text(max_size=10), yaml_values, max_size=4).map(
        lambda data: f"---\n{_yaml_text(data)}---\n"
    ),
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(head=front_matter, body=markdown)
def test_any_lesson_file_reads_to_errors_or_a_lesson(tmp_path, head, body):
    root = tmp_path / "content"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(FIXTURE_CONTENT, root)
    (root / LESSON).write_text(head + body, encoding="utf-8", errors="surrogatepass")
    tree = read_content(root)
    assert tree.errors or tree.courses
    for error in tree.errors:
        assert error.path and error.message and error.line >= 0
