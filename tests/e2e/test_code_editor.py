"""The code editor of file exercises in Chromium: a static page under the site's CSP.

The page (tests/e2e/fixtures/code_editor.html) follows the markup contract at the top of
frontend/code-editor/entry.js and loads the committed bundle from static/, so this checks what
the site serves, without Django or a database.
"""

import html
import importlib.util
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Page, expect

REPOSITORY = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HTMX = (
    Path(importlib.util.find_spec("django_htmx").origin).parent
    / "static"
    / "django_htmx"
    / "htmx-2.min.js"
)
# What the site must send for the editor (settings.SECURE_CSP): styles need the nonce too.
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-abc'; style-src 'self' 'nonce-abc'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)
STARTER_DOCKERFILE = "FROM python:3.13-slim\n# Copy the application, then say how it starts."
HINT = "Tab indents. To leave the editor, press Esc, then Tab."
ANSWER_DOCKERFILE = 'FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]'


class FixtureHandler(SimpleHTTPRequestHandler):
    """Static files with the site's CSP; a POST answers with the `answer` it received.

    Like the site, it answers htmx with a fragment and anything else with a page.
    """

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        answer = parse_qs(body, keep_blank_values=True).get("answer", [""])[0]
        # Browsers send a textarea's line breaks as CRLF; compare the text, not its transport.
        received = html.escape(answer.replace("\r\n", "\n"))
        page = f'<pre aria-label="Received answer">{received}</pre>'
        if "HX-Request" not in self.headers:
            page = f"<!doctype html><title>Received</title>{page}"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page.encode())))
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory) -> Iterator[str]:
    """The fixture pages, the repository's static/ and htmx, on a free port of 127.0.0.1."""
    root = tmp_path_factory.mktemp("site")
    (root / "static").symlink_to(REPOSITORY / "static")
    (root / "htmx.min.js").symlink_to(HTMX)
    for fixture in FIXTURES.iterdir():
        (root / fixture.name).symlink_to(fixture)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(FixtureHandler, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def editor_page(page: Page, site_url: str, page_problems: list[str]) -> Page:
    """The exercise page; CSP violations, on it or after a submit, join page_problems."""
    page.expose_function("reportCspViolation", lambda violation: page_problems.append(violation))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (event) =>"
        " reportCspViolation(`CSP ${event.violatedDirective}: ${event.blockedURI}`));"
    )
    page.goto(f"{site_url}/code_editor.html")
    expect(page.get_by_role("textbox", name="Your Dockerfile")).to_be_visible()
    return page


def textarea_value(page: Page, textarea_id: str) -> str:
    return page.locator(f"#{textarea_id}").input_value()


def test_the_editor_replaces_the_textarea_and_posts_its_text(editor_page: Page, page_problems):
    page = editor_page
    editor = page.get_by_role("textbox", name="Your Dockerfile")
    textarea = page.locator("#dockerfile-answer")
    expect(textarea).to_be_hidden()
    expect(editor).to_have_accessible_description(HINT)
    expect(page.get_by_text(HINT).first).to_be_visible()
    expect(page.locator(".cm-lineNumbers").first).to_contain_text("1234")
    expect(editor.locator(".tok-keyword", has_text="FROM")).to_be_visible()
    manifest = page.get_by_role("textbox", name="Your manifest")
    expect(manifest.locator(".tok-propertyName", has_text="apiVersion")).to_be_visible()
    expect(manifest).to_have_accessible_description(f"A Deployment with three replicas. {HINT}")

    page.get_by_text("Your Dockerfile").click()  # the label focuses the editor
    expect(editor).to_be_focused()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nEXPOSE 8000")
    assert textarea_value(page, "dockerfile-answer") == ANSWER_DOCKERFILE + "\nEXPOSE 8000"

    page.get_by_role("button", name="Check my Dockerfile").click()
    expect(page.get_by_label("Received answer")).to_have_text(ANSWER_DOCKERFILE + "\nEXPOSE 8000")
    assert page_problems == []


def test_tab_indents_and_escape_then_tab_leaves_the_editor(editor_page: Page, page_problems):
    page = editor_page
    editor = page.get_by_role("textbox", name="Your Dockerfile")
    editor.click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("Tab")
    expect(editor).to_be_focused()
    assert textarea_value(page, "dockerfile-answer").startswith("  FROM python")

    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    reset = page.get_by_role("button", name="Reset to starter").first
    expect(reset).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(editor).to_be_focused()
    # Esc lets Tab out until the next other key (or for 2 s); then Tab indents again.
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    expect(editor).to_be_focused()
    assert textarea_value(page, "dockerfile-answer").startswith("    FROM python")
    assert page_problems == []


def test_reset_restores_the_starter_and_undo_brings_back_the_work(editor_page: Page, page_problems):
    page = editor_page
    editor = page.get_by_role("textbox", name="Your Dockerfile")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nUSER app")
    page.keyboard.press("Control+z")
    assert textarea_value(page, "dockerfile-answer") == ANSWER_DOCKERFILE
    page.keyboard.press("Control+Shift+z")
    assert textarea_value(page, "dockerfile-answer") == ANSWER_DOCKERFILE + "\nUSER app"

    page.get_by_role("button", name="Reset to starter").first.click()
    assert textarea_value(page, "dockerfile-answer") == STARTER_DOCKERFILE
    expect(editor).to_contain_text("# Copy the application")
    editor.click()
    page.keyboard.press("Control+z")
    assert textarea_value(page, "dockerfile-answer") == ANSWER_DOCKERFILE + "\nUSER app"

    page.get_by_role("button", name="Reset to starter").nth(1).click()
    assert textarea_value(page, "manifest-answer") == "apiVersion: apps/v1\nkind: Deployment\n"
    assert page_problems == []


def test_htmx_swaps_in_an_editor_once_and_posts_its_text(editor_page: Page, page_problems):
    page = editor_page
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Load another exercise").click()
    editor = page.get_by_role("textbox", name="Your Compose file")
    expect(editor).to_be_visible()
    page.evaluate("htmx.trigger(document.getElementById('more'), 'htmx:load')")
    page.evaluate("htmx.trigger(document.body, 'htmx:load')")
    expect(page.get_by_role("textbox")).to_have_count(3)
    expect(page.locator(".cm-editor")).to_have_count(3)

    page.get_by_role("button", name="Reset to starter").nth(2).click()
    assert textarea_value(page, "compose-answer") == 'services:\n  web:\n    image: "<your image>"'
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type('ports: ["8000:8000"]')
    expect(editor.locator(".cm-matchingBracket")).to_have_count(2)
    answer = textarea_value(page, "compose-answer")
    assert answer.startswith('services:\n  web:\n    image: "<your image>"\n')
    assert answer.endswith('ports: ["8000:8000"]')

    page.get_by_role("button", name="Check my Compose file").click()
    received = page.locator("#compose-result").get_by_label("Received answer")
    expect(received).to_have_text(answer)
    assert page.evaluate("window.stillTheSamePage") is True
    assert page_problems == []


def test_at_phone_width_long_lines_scroll_inside_the_editor(
    editor_page: Page, page_problems, check_page
):
    page = editor_page
    page.set_viewport_size({"width": 375, "height": 800})
    scroller = page.get_by_role("textbox", name="Your manifest").locator("xpath=..")
    width, scroll_width = scroller.evaluate("node => [node.clientWidth, node.scrollWidth]")
    assert width < 375 < scroll_width
    check_page(page, "code-editor-375px")
    assert page_problems == []


def test_an_emptied_editor_still_submits(editor_page: Page, page_problems):
    # The textarea is required, but a hidden required field would block the submit silently.
    page = editor_page
    page.get_by_role("textbox", name="Your Dockerfile").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    assert textarea_value(page, "dockerfile-answer") == ""
    page.get_by_role("button", name="Check my Dockerfile").click()
    expect(page.get_by_label("Received answer")).to_have_text("")
    assert page_problems == []


def test_without_javascript_the_textarea_is_the_editor(browser, site_url: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/code_editor.html")
    textarea = page.get_by_role("textbox", name="Your Dockerfile")
    expect(textarea).to_have_value(ANSWER_DOCKERFILE)
    expect(page.get_by_role("button", name="Reset to starter")).to_have_count(0)
    textarea.press("Control+End")
    textarea.press("Tab")
    expect(textarea).not_to_be_focused()  # a plain textarea: Tab moves on
    textarea.fill("FROM alpine:3.22")
    page.get_by_role("button", name="Check my Dockerfile").click()
    expect(page.get_by_label("Received answer")).to_have_text("FROM alpine:3.22")
    context.close()
