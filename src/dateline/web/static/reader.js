// Dateline reader: keyboard shortcuts and the background-job line. Progressive enhancement only:
// every page works without this file. Nothing here reads article text or builds HTML from data.
(function () {
  "use strict";
  var selected = -1;

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("main .items > .item"));
  }

  function select(index) {
    var list = items();
    if (!list.length) { return; }
    index = Math.max(0, Math.min(list.length - 1, index));
    if (selected >= 0 && list[selected]) { list[selected].classList.remove("selected"); }
    selected = index;
    list[index].classList.add("selected");
    list[index].scrollIntoView({ block: "nearest" });
    var link = list[index].querySelector("a.item-link, a");
    if (link) { link.focus({ preventScroll: true }); }
  }

  function toggleHelp(show) {
    var dialog = document.getElementById("help-dialog");
    if (!dialog) { return; }
    dialog.hidden = show === undefined ? !dialog.hidden : !show;
    if (!dialog.hidden) { dialog.querySelector("button").focus(); }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
    if (event.key === "Escape") { toggleHelp(false); if (typing) { target.blur(); } return; }
    if (typing || event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.key === "j") { select(selected + 1); event.preventDefault(); }
    else if (event.key === "k") { select(selected - 1); event.preventDefault(); }
    else if (event.key === "o") {
      var list = items();
      var link = list[selected] && list[selected].querySelector("a.item-link, a");
      if (link) { window.location.assign(link.getAttribute("href")); }
    }
    else if (event.key === "/") {
      var search = document.getElementById("site-search");
      if (search) { search.focus(); event.preventDefault(); }
    }
    else if (event.key === "?") { toggleHelp(); event.preventDefault(); }
  });

  document.addEventListener("click", function (event) {
    if (event.target && event.target.classList && event.target.classList.contains("close-help")) { toggleHelp(false); }
  });

  // The cited passage: bring it into view and give it focus, so screen readers land on it too.
  var passage = document.getElementById("passage");
  if (passage) { passage.scrollIntoView({ block: "center" }); passage.focus({ preventScroll: true }); }

  // The background-job line: poll the JSON status while a job runs (textContent only).
  var line = document.getElementById("job-status");
  function poll() {
    fetch("/api/status", { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        var status = data && data.status;
        if (!line || !status) { return; }
        if (status.job) {
          line.hidden = false;
          line.textContent = (status.job || "working") + (status.current_source ? ": " + status.current_source : "") +
            (status.sources_planned ? " (" + status.sources_done + "/" + status.sources_planned + ")" : "");
        } else {
          line.hidden = true;
          line.textContent = "";
        }
      })
      .catch(function () { /* the page still works; try again later */ });
  }
  if (line && window.fetch) { poll(); window.setInterval(poll, 5000); }
}());
