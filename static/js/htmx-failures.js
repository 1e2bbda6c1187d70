// When an htmx request fails, say so where its result would have appeared, instead of leaving
// a button that seems dead: an expired session or CSRF token (403) links to the login page, a
// server or network failure asks to try again. Buttons are disabled while their request is in
// flight (hx-disabled-elt on the forms), so a failure is the only way a click can go unanswered.
(() => {
  "use strict";

  const MESSAGES = {
    403: "Your session has expired — log in again.",
    429: "Too many requests — wait a moment, then try again.",
  };
  const FAILED = "Couldn't save your answer — try again.";
  const OFFLINE = "Couldn't reach the server — check your connection, then try again.";

  function report(event, text, withLogin) {
    const target = event.detail.target;
    if (!target) return;
    const note = document.createElement("p");
    note.className = "verdict failed";
    note.setAttribute("role", "alert");
    note.textContent = text + " ";
    if (withLogin) {
      const question = target.closest("section[id]");
      const back = window.location.pathname + (question ? "#" + question.id : "");
      const link = document.createElement("a");
      link.href = "/accounts/login/?next=" + encodeURIComponent(back);
      link.textContent = "Log in";
      note.append(link);
    }
    target.querySelectorAll(".verdict.failed").forEach((old) => old.remove());
    if (target.getAttribute("role") === "status") target.replaceChildren(note);
    else target.append(note);
  }

  document.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    report(event, MESSAGES[status] || FAILED, status === 403);
  });
  document.addEventListener("htmx:sendError", (event) => report(event, OFFLINE, false));
})();
