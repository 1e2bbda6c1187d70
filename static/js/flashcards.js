// Flashcard review keys: Space shows the answer, 1–4 rate it. They click the real buttons,
// so htmx (or, without it, the plain form) does the rest; the server's state token keeps a
// fast second press from rating a card twice.
(() => {
  "use strict";

  document.addEventListener("keydown", (event) => {
    const review = document.getElementById("review");
    if (!review || event.defaultPrevented || event.repeat) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest("input, textarea, select, [contenteditable]")) return;
    let button = null;
    if (event.key === " ") {
      // Space on a focused button or link already activates it; don't press twice.
      if (target?.closest("button, a, summary")) return;
      button = review.querySelector("[data-show-answer]");
    } else if (/^[1-4]$/.test(event.key)) {
      button = review.querySelector(`[data-rating="${event.key}"]`);
    }
    if (!button) return;
    event.preventDefault();
    button.click();
  });
})();
