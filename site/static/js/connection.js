/* Connection: the page's one WebSocket to /ws (docs/protocol.md), reconnected
   with backoff when it drops, and a small status in the top bar.
   MPBook.connection.on(type, fn) hears server frames by their "type", plus the
   local events "up" (hello received) and "down" (connection lost). */
(function () {
  "use strict";
  var MPBook = window.MPBook = window.MPBook || {};

  var MIN_DELAY = 1000;
  var MAX_DELAY = 30000;

  var socket = null;
  var hello = null;
  var listeners = {};
  var attempts = 0;
  var retryTimer = null;
  var retryAt = 0;
  var countdownTimer = null;
  var statusEl = null;
  var statusText = null;

  function emit(type, value) {
    (listeners[type] || []).slice().forEach(function (fn) {
      try { fn(value); } catch (e) { window.console.error(e); }
    });
  }

  function url() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + "/ws";
  }

  function ensureStatus() {
    if (statusEl) { return; }
    statusEl = document.createElement("span");
    statusEl.className = "conn-status";
    statusEl.setAttribute("role", "status");
    var dot = document.createElement("span");
    dot.className = "conn-dot";
    dot.setAttribute("aria-hidden", "true");
    statusText = document.createElement("span");
    statusText.className = "conn-text";
    statusEl.appendChild(dot);
    statusEl.appendChild(statusText);
    var bar = document.querySelector(".topbar");
    var toggle = bar && bar.querySelector(".theme-toggle");
    if (bar) { bar.insertBefore(statusEl, toggle); } else { document.body.appendChild(statusEl); }
  }

  function setStatus(state, text, title) {
    ensureStatus();
    statusEl.setAttribute("data-state", state);
    statusText.textContent = text;
    if (title) { statusEl.title = title; } else { statusEl.removeAttribute("title"); }
  }

  /* Why the last connection ended, when the server said: a refusal frame before
     hello (too many pages open), or a restart (close code 1012). */
  var closeReason = "";

  function showCountdown() {
    var seconds = Math.max(1, Math.round((retryAt - Date.now()) / 1000));
    setStatus("down", (closeReason || "Offline") + " · retrying in " + seconds + " s",
      "The connection to the mpbook server dropped; the page reconnects by itself.");
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    var delay = Math.min(MAX_DELAY, MIN_DELAY * Math.pow(2, attempts));
    delay = delay * (0.8 + Math.random() * 0.4);
    attempts += 1;
    retryAt = Date.now() + delay;
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      window.clearInterval(countdownTimer);
      countdownTimer = null;
      connect();
    }, delay);
    showCountdown();
    window.clearInterval(countdownTimer);
    countdownTimer = window.setInterval(showCountdown, 1000);
  }

  function connect() {
    if (socket && (socket.readyState === 0 || socket.readyState === 1)) { return; }
    if (retryTimer) { window.clearTimeout(retryTimer); retryTimer = null; }
    window.clearInterval(countdownTimer);
    countdownTimer = null;
    setStatus("connecting", "Connecting…");
    var ws;
    try {
      ws = new WebSocket(url());
    } catch (e) {
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.onmessage = function (event) {
      if (ws !== socket) { return; }
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (!frame || typeof frame.type !== "string") { return; }
      if (frame.type === "error" && hello === null) {
        closeReason = frame.code === "busy" ? "Server busy" : "Refused";
        setStatus("down", closeReason, String(frame.message || ""));
        return;
      }
      if (frame.type === "hello") {
        closeReason = "";
        attempts = 0;
        hello = frame;
        if (frame.contained === false) {
          setStatus("basic", "Connected · basic sandbox",
            "The server runs examples in its basic sandbox, without containment.");
        } else {
          setStatus("up", "Connected", "Examples run on the server in a " + (frame.sandbox || "") + " sandbox.");
        }
        emit("up", frame);
      }
      emit(frame.type, frame);
    };
    ws.onclose = function (event) {
      if (ws !== socket) { return; }
      if (event.code === 1012) { closeReason = "Server restarting"; }
      socket = null;
      var wasUp = hello !== null;
      hello = null;
      if (wasUp) { emit("down", null); }
      scheduleRetry();
    };
    ws.onerror = function () { /* onclose follows and schedules the retry */ };
  }

  function reconnectNow() {
    if (!socket && retryTimer) { attempts = 0; connect(); }
  }

  MPBook.connection = {
    /** Listen for a frame type ("hello", "output", ...) or "up" / "down". */
    on: function (type, fn) { (listeners[type] = listeners[type] || []).push(fn); },
    /** Send a frame; false when there is no open connection. */
    send: function (frame) {
      if (!socket || socket.readyState !== 1 || !hello) { return false; }
      socket.send(JSON.stringify(frame));
      return true;
    },
    /** The hello frame of the current connection, or null while not connected. */
    hello: function () { return hello; },
    connect: connect,
    /** For tests: close the socket as if the network dropped. */
    drop: function () { if (socket) { socket.close(); } }
  };

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { reconnectNow(); }
  });
}());
