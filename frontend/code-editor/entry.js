/*
 * Code editor for file exercises: CodeMirror 6 on top of a plain <textarea>.
 * Built into static/vendor/codemirror/code-editor.js by `make editor-bundle`.
 *
 * Markup contract. Without JavaScript the textarea is the editor and posts in its form; with
 * it, the textarea is hidden (it stays in the form) and receives the editor's text on every
 * change, so a normal submit and an htmx hx-post of the form both send what the student wrote.
 *
 *   <label for="q1-answer">Your Dockerfile</label>
 *   <textarea id="q1-answer" name="answer" rows="12"
 *             data-code-editor="dockerfile"          "yaml" or "dockerfile": the highlighting
 *             data-starter-id="q1-starter"           optional: where the starter text lives
 *             aria-describedby="q1-help">…last submission, else the starter…</textarea>
 *   <template id="q1-starter">…the starter, autoescaped like any text…</template>
 *   <button type="button" data-code-editor-reset="q1-answer" hidden>Reset to starter</button>
 *
 * - The starter is the text of a <template> (prefer it: Django's autoescaping yields the exact
 *   text) or of a <script type="text/plain"> (its content is raw, never entity-decoded).
 * - Reset buttons stay hidden without JavaScript (code-editor.css makes `hidden` win over the
 *   site's button display); the script reveals each one whose textarea (found by id) it
 *   enhances and that has a starter. Reset is an ordinary change: Ctrl+Z undoes it.
 * - The textarea's <label> names the editor (aria-labelledby) and clicking it focuses the
 *   editor; the textarea's aria-describedby carries over, plus a hint on leaving the editor.
 * - A readonly or disabled textarea stays a plain textarea. `required` is left to the server:
 *   a hidden required field would block the submit without telling anyone why.
 * - Textareas are enhanced once: at load, and in content htmx swaps in (htmx:load). Editors
 *   htmx swaps out are destroyed, so their global listeners go with them.
 *
 * Keys: Tab and Shift+Tab indent and dedent; Esc then Tab (or Shift+Tab) moves focus out of
 * the editor (until another key, or for 2 s); Ctrl+M (Shift+Alt+M on macOS) switches Tab
 * between indenting and moving focus. Ctrl+Z undoes, Ctrl+Y or Ctrl+Shift+Z redoes.
 *
 * Loading, under the site's CSP (no inline styles or scripts):
 *   <link rel="stylesheet" href="{% static 'css/code-editor.css' %}">
 *   <script src="{% static 'vendor/codemirror/code-editor.js' %}" nonce="{{ csp_nonce }}" defer></script>
 * CodeMirror adds its structural styles in a <style> element: it carries the nonce of this
 * script, so style-src must allow the nonce too (style-src 'self' 'nonce-…').
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { dockerFile } from "@codemirror/legacy-modes/mode/dockerfile";
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";

const SELECTOR = "textarea[data-code-editor]";
const LANGUAGES = {
  yaml: () => yaml(),
  dockerfile: () => StreamLanguage.define(dockerFile),
};
const HINT = "Tab indents. To leave the editor, press Esc, then Tab.";

// Browsers hide a script's nonce attribute but keep its .nonce property; currentScript is
// only set while this file first runs.
const nonce = document.currentScript?.nonce ?? "";
const views = new WeakMap();
let idCount = 0;

function starterText(textarea) {
  const id = textarea.dataset.starterId;
  const source = id ? document.getElementById(id) : null;
  if (!source) return null;
  return source instanceof HTMLTemplateElement ? source.content.textContent : source.textContent;
}

function elementId(element) {
  if (!element.id) element.id = `code-editor-${++idCount}`;
  return element.id;
}

function createHint() {
  const hint = document.createElement("p");
  hint.className = "code-editor-hint";
  elementId(hint);
  hint.textContent = HINT;
  return hint;
}

// The editor's content element is what assistive technology reads: it takes the textarea's
// name and description. contenteditable is focusable anyway; the explicit tabindex tells
// accessibility checkers that the scrolling region has focusable content.
function contentAttributes(textarea, hint) {
  const described = [textarea.getAttribute("aria-describedby"), hint.id];
  const attributes = { tabindex: "0", "aria-describedby": described.filter(Boolean).join(" ") };
  const labelledBy = Array.from(textarea.labels ?? [], elementId).join(" ");
  const label = textarea.getAttribute("aria-label");
  if (labelledBy) attributes["aria-labelledby"] = labelledBy;
  else if (label) attributes["aria-label"] = label;
  return attributes;
}

function extensions(textarea, hint) {
  const language = LANGUAGES[textarea.dataset.codeEditor];
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    history(),
    bracketMatching(),
    language ? language() : [],
    syntaxHighlighting(classHighlighter),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    EditorView.cspNonce.of(nonce),
    EditorView.editorAttributes.of({ class: "code-editor" }),
    EditorView.contentAttributes.of(contentAttributes(textarea, hint)),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) textarea.value = update.state.doc.toString();
    }),
  ];
}

function connectResetButtons(textarea, view) {
  const starter = starterText(textarea);
  if (starter === null || !textarea.id) return;
  const selector = `[data-code-editor-reset="${CSS.escape(textarea.id)}"]`;
  for (const button of document.querySelectorAll(selector)) {
    button.hidden = false;
    button.addEventListener("click", () => {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: starter },
        userEvent: "input.reset",
      });
    });
  }
}

function enhance(textarea) {
  if (textarea.dataset.codeEditorReady !== undefined || textarea.readOnly || textarea.disabled) {
    return;
  }
  const hint = createHint();
  const view = new EditorView({
    state: EditorState.create({ doc: textarea.value, extensions: extensions(textarea, hint) }),
  });
  textarea.dataset.codeEditorReady = "";
  textarea.required = false;
  textarea.hidden = true;
  textarea.after(view.dom, hint);
  for (const label of textarea.labels ?? []) label.addEventListener("click", () => view.focus());
  connectResetButtons(textarea, view);
  views.set(textarea, view);
}

function enhanceWithin(root) {
  if (root.matches?.(SELECTOR)) enhance(root);
  root.querySelectorAll?.(SELECTOR).forEach(enhance);
}

document.addEventListener("htmx:load", (event) => enhanceWithin(event.target));
document.addEventListener("htmx:beforeCleanupElement", (event) => {
  views.get(event.target)?.destroy();
  views.delete(event.target);
});
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => enhanceWithin(document));
} else {
  enhanceWithin(document);
}
