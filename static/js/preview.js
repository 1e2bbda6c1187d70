// Live preview, loaded on lesson pages in development only (DEBUG): waits on the content
// watcher's status (pages.preview, a long poll) and, once an import has moved this course's
// content past the version the page shows, reloads it where the reader was. When the last
// import found errors, they replace the stale page until a save imports cleanly. A failed
// request (the server restarting) is retried quietly.
(() => {
  "use strict";

  const RETRY_MS = 1000;
  const script = document.currentScript;
  const statusUrl = script.dataset.statusUrl;
  const course = script.dataset.course;
  const shownVersion = Number(script.dataset.version);
  const scrollKey = "preview-scroll:" + window.location.pathname;
  let run = null;
  let showingErrors = false;

  function rememberScroll() {
    if (sessionStorage.getItem(scrollKey) === null) {
      sessionStorage.setItem(scrollKey, String(window.scrollY));
    }
  }

  function restoreScroll() {
    const saved = sessionStorage.getItem(scrollKey);
    if (saved === null) return;
    sessionStorage.removeItem(scrollKey);
    const restore = () => window.scrollTo(0, Number(saved));
    restore();
    window.addEventListener("load", restore, { once: true }); // once images have their size
  }

  function reload() {
    rememberScroll();
    // The browser would restore where the page was at the reload, the top of an error panel
    // (and it does so after "load"): the script restores the position it saved instead.
    history.scrollRestoration = "manual";
    window.location.reload();
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function showErrors(errors) {
    if (!showingErrors) rememberScroll();
    showingErrors = true;
    const panel = element("section", "", "preview-errors");
    panel.setAttribute("role", "alert");
    panel.setAttribute("aria-labelledby", "preview-errors-title");
    const title = element(
      "h1",
      errors.length === 1 ? "The content has an error" : `The content has ${errors.length} errors`
    );
    title.id = "preview-errors-title";
    const list = element("ul");
    for (const error of errors) {
      const item = element("li");
      const where = error.line ? `${error.path}:${error.line}` : error.path;
      item.append(element("code", where), " ", error.message);
      list.append(item);
    }
    panel.append(
      title,
      element("p", "Nothing was imported. This page comes back by itself once the files import cleanly."),
      list
    );
    document.getElementById("main").replaceChildren(panel);
  }

  function show(status) {
    if (!status.ok) {
      showErrors(status.errors);
      return true;
    }
    if (showingErrors || (status.versions[course] || 0) > shownVersion) {
      reload();
      return false;
    }
    return true;
  }

  async function poll() {
    const url = run === null ? statusUrl : `${statusUrl}?after=${encodeURIComponent(run)}`;
    let status;
    try {
      const response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`status ${response.status}`);
      status = await response.json();
    } catch {
      window.setTimeout(poll, RETRY_MS);
      return;
    }
    run = status.run;
    if (show(status)) poll();
  }

  restoreScroll();
  poll();
})();
