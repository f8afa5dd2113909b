// Live updates without htmx (its file missing, or an old browser): the same event stream, a few
// lines of plain JS. With htmx present its SSE extension does this and the script stays idle.
(function () {
  "use strict";
  if (window.htmx || !window.EventSource || !window.fetch) { return; }
  var source = document.getElementById("live-source");
  var live = document.getElementById("live");
  if (!source || !live) { return; }
  var events = new EventSource(source.getAttribute("data-events"));
  events.addEventListener("version", function () {
    fetch(source.getAttribute("data-live"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { live.innerHTML = html; } });
  });
  events.addEventListener("gone", function () { events.close(); });
})();
