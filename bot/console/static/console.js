// Intake console: small progressive enhancements; every page works without it.
"use strict";

// ---------------------------------------------------------------- queue (bot/console/queue.py)
// The queue page (section#queue) asks /console/queue/updates every few seconds and puts
// the server-rendered rows in place (countdowns included); tickets created and patient
// messages received since the page opened are marked until the page is reloaded.
(function queueLive() {
  var root = document.getElementById("queue");
  if (!root || !window.fetch) { return; }
  var tbody = document.getElementById("queue-rows");
  var live = document.getElementById("queue-live");
  var count = document.getElementById("queue-count");
  var url = root.getAttribute("data-updates-url");
  var since = root.getAttribute("data-since");
  var every = Math.max(2, parseFloat(root.getAttribute("data-poll-seconds")) || 5) * 1000;
  var freshTickets = {};
  var freshMessages = {};
  var lastPatient = {};
  var title = document.title;

  function remember() {
    tbody.querySelectorAll("tr[data-ticket]").forEach(function (tr) {
      lastPatient[tr.getAttribute("data-ticket")] = tr.getAttribute("data-last-patient");
    });
  }

  function badge(tr, cls, text) {
    var cell = tr.querySelector(".queue-ticket");
    if (!cell || cell.querySelector(".badge." + cls)) { return; }
    var span = document.createElement("span");
    span.className = "badge " + cls;
    span.textContent = text;
    cell.appendChild(document.createTextNode(" "));
    cell.appendChild(span);
  }

  function mark() {
    var marked = 0;
    tbody.querySelectorAll("tr[data-ticket]").forEach(function (tr) {
      var id = tr.getAttribute("data-ticket");
      if (freshTickets[id]) { tr.classList.add("fresh"); badge(tr, "new", "new"); marked++; }
      else if (freshMessages[id]) { tr.classList.add("fresh"); badge(tr, "new", "new message"); marked++; }
    });
    document.title = marked ? "(" + marked + ") " + title : title;
  }

  function apply(data) {
    (data.new_tickets || []).forEach(function (id) { freshTickets[id] = true; });
    (data.new_messages || []).forEach(function (m) { freshMessages[m.ticket] = true; });
    // A ticket or message the poll window missed still shows by comparing with the last rows.
    var before = lastPatient;
    var template = document.createElement("tbody");
    template.innerHTML = data.rows_html;  // rendered by the server with autoescaping
    template.querySelectorAll("tr[data-ticket]").forEach(function (tr) {
      var id = tr.getAttribute("data-ticket");
      if (!(id in before)) { freshTickets[id] = true; }
      else if (tr.getAttribute("data-last-patient") !== before[id] && tr.getAttribute("data-last-patient")) {
        freshMessages[id] = true;
      }
    });
    tbody.replaceChildren.apply(tbody, Array.prototype.slice.call(template.childNodes));
    lastPatient = {};
    remember();
    mark();
    since = data.cursor;
    if (count) { count.textContent = data.count + (data.count === 1 ? " ticket" : " tickets"); }
    if (live) { live.textContent = "Updated " + new Date().toLocaleTimeString(); }
  }

  function poll() {
    var sep = url.indexOf("?") === -1 ? "?" : "&";
    var stop = false;
    fetch(url + sep + "since=" + encodeURIComponent(since), {
      credentials: "same-origin", headers: { "Accept": "application/json" }, redirect: "manual"
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) {
        stop = true;
        throw new Error("Signed out: reload the page to sign in again.");
      }
      if (!response.ok) { throw new Error("Live updates paused (error " + response.status + "); retrying."); }
      return response.json();
    }).then(apply).catch(function (err) {
      var known = err && /^(Signed out|Live updates)/.test(err.message);
      if (live) { live.textContent = known ? err.message : "Live updates paused (no connection); retrying."; }
    }).then(function () { if (!stop) { window.setTimeout(poll, every); } });
  }

  remember();
  window.setTimeout(poll, every);
})();

// ---------------------------------------------------------------- case actions (bot/console/actions.py)
// Choosing a canned reply puts its text (placeholders already filled) in the reply box.
(function cannedReplies() {
  var select = document.getElementById("canned");
  var box = document.getElementById("reply-text");
  if (!select || !box) { return; }
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    var text = option && option.getAttribute("data-text");
    if (text) { box.value = text; box.focus(); }
  });
})();

// ---------------------------------------------------------------- case page (bot/console/case.py)
// A fact's source link (a[href="#msg-<id>"]) scrolls to its message and highlights it
// (CSS :target does too; the class also marks a message reached again by a second click).
(function caseSources() {
  var transcript = document.getElementById("transcript");
  if (!transcript) { return; }

  function highlight(id) {
    var target = document.getElementById(id);
    if (!target || !transcript.contains(target)) { return; }
    transcript.querySelectorAll(".msg.is-highlighted").forEach(function (el) { el.classList.remove("is-highlighted"); });
    target.classList.add("is-highlighted");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#msg-']");
    if (link) { highlight(link.getAttribute("href").slice(1)); }
  });
  window.addEventListener("hashchange", function () {
    if (window.location.hash.indexOf("#msg-") === 0) { highlight(window.location.hash.slice(1)); }
  });
  if (window.location.hash.indexOf("#msg-") === 0) {
    highlight(window.location.hash.slice(1));
  } else {
    transcript.scrollTop = transcript.scrollHeight;  // the newest message first (a no-op when it does not scroll)
  }
})();
