(function () {
  var sid = localStorage.getItem("intake-sim") || ("sim-" + Math.random().toString(36).slice(2, 12));
  localStorage.setItem("intake-sim", sid);
  document.getElementById("session").textContent = sid;
  var last = 0, log = document.getElementById("log");
  function add(m) {
    var div = document.createElement("div");
    div.className = "msg " + m.direction;
    div.textContent = m.text;  // text, never HTML
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  function poll() {
    fetch("api/messages?from=" + encodeURIComponent(sid) + "&after=" + last)
      .then(function (r) { return r.json(); })
      .then(function (data) {
        (data.messages || []).forEach(function (m) { last = Math.max(last, m.id); add(m); });
        if (data.case) { document.getElementById("casejson").textContent = JSON.stringify(data.case, null, 2); }
      })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 1000); });
  }
  document.getElementById("form").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = document.getElementById("text"), text = input.value;
    if (!text.trim()) { return; }
    input.value = "";
    fetch("api/messages", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({from: sid, id: "web-" + Date.now() + "-" + Math.random().toString(36).slice(2, 8), text: text})});
  });
  poll();
})();
