import re
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


def test_only_radio_and_disabled_checkbox_inputs_survive():
    html = render(
        '<input type="password" name="password" autocomplete="current-password">'
        ' <input name="email"> <input type=TEXT> <input type="hidden" name="csrfmiddlewaretoken">'
        """ <input title='a> type="radio"' type="text"> <input type="submit" value="Go">"""
        ' <input type="radio" name="tab" id="r"> <input type="checkbox" name="done" checked>'
    ).html
    inputs = re.findall(r"<input\b[^>]*>", html)
    assert len(inputs) == 2, html
    radio, checkbox = inputs
    assert 'type="radio"' in radio and "disabled" not in radio
    assert 'type="checkbox"' in checkbox and "disabled" in checkbox
    assert "name=" not in html and "password" not in html


def test_tabs_keep_their_radio_groups():
    html = render('=== "One"\n    first\n\n=== "Two"\n    second').html
    names = re.findall(r'<input [^>]*name="([^"]+)"', html)
    assert len(names) == 2 and names[0] == names[1]
    assert "disabled" not in html
    assert _targets(html, "for") <= _ids(html)


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def _targets(html: str, attribute: str) -> set[str]:
    pattern = r'\shref="#([^"]+)"' if attribute == "href" else rf'\s{attribute}="([^"]+)"'
    return set(re.findall(pattern, html))


# Ids the page templates give their own elements: the skip link's target, the search box, the
# questions' anchors, the completion box...
PAGE_IDS = {"main", "site-search", "q-run", "lesson-completion", "students", "toc-title"}


def test_ids_from_content_cannot_collide_with_the_page():
    rendered = render(
        "# Main\n\n## Lesson completion\n\n## Q run {#q-run}\n\n"
        '<div id="main">raw</div> <span id="site-search">s</span> <label for="main">l</label>\n\n'
        "[up](#main) [top](#) Text[^1]\n\n"
        '=== "One"\n    first\n\n=== "Two"\n    second\n\n'
        "[^1]: A note."
    )
    ids = _ids(rendered.html)
    assert len(ids) >= 8
    assert all(element_id.startswith("c-") for element_id in ids), ids
    assert not ids & PAGE_IDS
    # Every in-page link, label and table-of-contents entry still reaches its element.
    assert _targets(rendered.html, "href") <= ids
    assert _targets(rendered.html, "for") <= ids
    assert 'href="#c-main"' in rendered.html
    assert [h.id for h in rendered.headings] == ["c-lesson-completion", "c-q-run"]
    assert {h.id for h in rendered.headings} <= ids


def test_page_templates_never_use_the_content_id_prefix():
    templates = Path(__file__).resolve().parent.parent / "templates"
    for template in templates.rglob("*.html"):
        assert not re.search(r'\sid="c-', template.read_text()), template


def test_code_is_highlighted_with_its_language():
    html = render("```python\nprint('hi')\n```").html
    assert 'class="language-python highlight"' in html
    assert '<span class="nb">print</span>' in html


def test_headings_get_anchors_and_are_listed():
    rendered = render("## Getting *started*\n\n### Next step\n\n#### Too deep")
    assert '<h2 id="c-getting-started">' in rendered.html
    assert 'class="headerlink" href="#c-getting-started"' in rendered.html
    assert [(h.level, h.id, h.text) for h in rendered.headings] == [
        (2, "c-getting-started", "Getting started"),
        (3, "c-next-step", "Next step"),
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
    assert 'href="/courses/c/two/#c-part"' in rendered.html
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
