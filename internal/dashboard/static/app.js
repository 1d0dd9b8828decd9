// Progressive enhancement only: every action works without this file.
"use strict";
// Styles and tests can tell that scripts run.
document.documentElement.classList.add("js");
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) e.preventDefault();
});
// Live association status: poll while the page is open.
(function () {
  var live = document.getElementById("live");
  if (!live || !window.fetch) return;
  var url = live.getAttribute("data-url");
  function update(list) {
    list.forEach(function (a) {
      var row = document.querySelector('tr[data-assoc="' + a.id + '"]');
      if (!row) return;
      var s = row.querySelector("[data-status]"), r = row.querySelector("[data-reason]");
      if (s && s.textContent !== a.status) {
        s.textContent = a.status;
        s.className = "status " + a.status.toLowerCase();
      }
      if (r) r.textContent = a.status_reason || "";
    });
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) { if (body) update(body.associations); })
      .catch(function () {})
      .then(function () { if (!document.hidden) setTimeout(poll, 2000); else document.addEventListener("visibilitychange", resume); });
  }
  function resume() { if (!document.hidden) { document.removeEventListener("visibilitychange", resume); poll(); } }
  setTimeout(poll, 2000);
})();
