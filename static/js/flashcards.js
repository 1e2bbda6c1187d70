// Flashcard review keys: Space shows the answer, 1–4 rate it. They click the real buttons,
// so htmx (or, without it, the plain form) does the rest.
(() => {
  "use strict";
  let busy = false;

  document.addEventListener("keydown", (event) => {
    const review = document.getElementById("review");
    if (!review || busy || event.defaultPrevented || event.repeat) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) return;
    let button = null;
    if (event.key === " ") {
      // Space on a focused button or link already activates it; don't press twice.
      if (target instanceof Element && target.closest("button, a, summary")) return;
      button = review.querySelector("[data-show-answer]");
    } else if (/^[1-4]$/.test(event.key)) {
      button = review.querySelector(`[data-rating="${event.key}"]`);
    }
    if (!button) return;
    event.preventDefault();
    busy = true;
    button.click();
  });

  const done = () => { busy = false; };
  document.addEventListener("htmx:afterSettle", done);
  document.addEventListener("htmx:responseError", done);
  document.addEventListener("htmx:sendError", done);
})();
