from pathlib import Path

import pytest

from courseapp.markup import markdown
from courseapp.markup.markdown import (
    find_fences,
    plain_text,
    render,
    render_inline,
    render_markdown,
)


def test_script_event_handlers_and_javascript_urls_are_removed():
    html = render(
        "Hi <script>alert(1)</script><img src=x onerror=alert(2)>"
        ' <a href="javascript:alert(3)">a</a> [b](javascript:alert(4))'
        ' <div onclick="alert(5)" style="color:red">c</div>'
    ).html
    for needle in ("<script", "alert(1)", "onerror", "javascript:", "onclick", "style="):
        assert needle not in html
    assert "Hi" in html and ">c</div>" in html


def test_only_radio_inputs_survive():
    html = render('<input type="text" name="steal"> <input type="radio" name="tab">').html
    assert 'type="text"' not in html
    assert 'type="radio"' in html


def test_code_is_highlighted_with_its_language():
    html = render("```python\nprint('hi')\n```").html
    assert 'class="language-python highlight"' in html
    assert '<span class="nb">print</span>' in html


def test_headings_get_anchors_and_are_listed():
    rendered = render("## Getting *started*\n\n### Next step\n\n#### Too deep")
    assert '<h2 id="getting-started">' in rendered.html
    assert 'class="headerlink" href="#getting-started"' in rendered.html
    assert [(h.level, h.id, h.text) for h in rendered.headings] == [
        (2, "getting-started", "Getting started"),
        (3, "next-step", "Next step"),
    ]


def test_admonitions_tables_details_tabs_and_footnotes_render():
    html = render(
        '!!! warning "Careful"\n    Body\n\n??? note "More"\n    Hidden\n\n'
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        '=== "One"\n    first\n\n=== "Two"\n    second\n\n'
        "Text[^1]\n\n[^1]: A note."
    ).html
    assert '<div class="admonition warning">' in html
    assert "<details" in html and "<summary>More</summary>" in html
    assert '<th align="left">a</th>' in html
    assert 'class="tabbed-set' in html
    assert 'class="footnote"' in html


def test_relative_links_to_lessons_are_rewritten_and_missing_ones_reported():
    urls = {"../b/02-two.md": "/courses/c/two/"}
    rendered = render(
        "[two](../b/02-two.md#part) [gone](03-gone.md) [web](https://example.org/x.md)",
        resolve_link=urls.get,
    )
    assert 'href="/courses/c/two/#part"' in rendered.html
    assert 'href="https://example.org/x.md"' in rendered.html
    assert rendered.problems == [("03-gone.md", "link to a missing lesson file '03-gone.md'")]


def test_render_inline_drops_the_paragraph():
    assert render_inline("An *image*") == "An <em>image</em>"


def test_plain_text_drops_tags_and_permalinks():
    assert plain_text(render("## Title\n\nSome `code` &amp; text").html) == "Title Some code & text"


def test_find_fences_skips_fences_inside_longer_fences():
    lines = ["````markdown", "```quiz", "id: x", "```", "````", "```quiz", "id: y", "```"]
    assert [(f.start, f.end, f.info) for f in find_fences(lines)] == [
        (0, 4, "markdown"),
        (5, 7, "quiz"),
    ]


PLAIN_SAMPLES = [
    "A plain sentence.",
    "Yes",
    'It said "hello" and it\'s fine: 3/4 of 100% (roughly), $5 + 2 = 7; user@example.org?',
    "Wait! Is it -- or - or +?",
    "Trailing spaces   ",
    "Ends with a colon:",
    "A block scalar ends with a newline.\n",
]
NOT_PLAIN = [
    "`code`",
    "*stress*",
    "a_b_c",
    "[link](x.md)",
    "1. a list",
    "- a list",
    "# heading",
    "x < y & z",
    "two\nlines",
    "double  space",
    "{: .class }",
]


@pytest.mark.parametrize("text", PLAIN_SAMPLES + NOT_PLAIN)
def test_plain_text_shortcut_renders_as_markdown_does(text):
    assert render(text) == render_markdown(text)


def test_every_question_and_card_text_of_the_course_renders_as_markdown_does():
    texts = set()
    for path in Path("content").rglob("*.md"):
        for line in path.read_text().splitlines():
            _, _, value = line.strip().removeprefix("- ").partition(": ")
            if value and not value.startswith(("|", ">")):
                texts.add(value.strip().strip('"'))
    shortcut = [text for text in texts if markdown.PLAIN_RE.fullmatch(text)]
    assert len(shortcut) > 200  # most prompts, choices and feedback are plain sentences
    for text in shortcut:
        assert render(text) == render_markdown(text), text
