/* Connection: the page's one WebSocket to /ws (docs/protocol.md), reconnected
   with backoff when it drops, and a small status in the top bar.
   on(type, fn) hears server frames by their "type", plus the local events
   "up" (hello received) and "down" (connection lost). */

const MIN_DELAY = 1000;
const MAX_DELAY = 30000;

let socket = null;
let helloFrame = null;
const listeners = {};
let attempts = 0;
let retryTimer = null;
let retryAt = 0;
let countdownTimer = null;
let statusEl = null;
let statusText = null;

/* Why the last connection ended, when the server said: a refusal frame before
   hello (too many pages open), or a restart (close code 1012). */
let closeReason = "";

function emit(type, value) {
  for (const fn of (listeners[type] || []).slice()) {
    try { fn(value); } catch (e) { window.console.error(e); }
  }
}

function url() {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return scheme + "//" + window.location.host + "/ws";
}

function ensureStatus() {
  if (statusEl) { return; }
  statusEl = document.createElement("span");
  statusEl.className = "conn-status";
  statusEl.setAttribute("role", "status");
  const dot = document.createElement("span");
  dot.className = "conn-dot";
  dot.setAttribute("aria-hidden", "true");
  statusText = document.createElement("span");
  statusText.className = "conn-text";
  statusEl.appendChild(dot);
  statusEl.appendChild(statusText);
  const bar = document.querySelector(".topbar");
  const toggle = bar && bar.querySelector(".theme-toggle");
  if (bar) { bar.insertBefore(statusEl, toggle); } else { document.body.appendChild(statusEl); }
}

function setStatus(state, text, title) {
  ensureStatus();
  statusEl.setAttribute("data-state", state);
  statusText.textContent = text;
  if (title) { statusEl.title = title; } else { statusEl.removeAttribute("title"); }
}

function showCountdown() {
  const seconds = Math.max(1, Math.round((retryAt - Date.now()) / 1000));
  setStatus("down", (closeReason || "Offline") + " · retrying in " + seconds + " s",
    "The connection to the mpbook server dropped; the page reconnects by itself.");
}

function scheduleRetry() {
  if (retryTimer) { return; }
  const delay = Math.min(MAX_DELAY, MIN_DELAY * Math.pow(2, attempts)) * (0.8 + Math.random() * 0.4);
  attempts += 1;
  retryAt = Date.now() + delay;
  retryTimer = window.setTimeout(() => {
    retryTimer = null;
    window.clearInterval(countdownTimer);
    countdownTimer = null;
    connect();
  }, delay);
  showCountdown();
  window.clearInterval(countdownTimer);
  countdownTimer = window.setInterval(showCountdown, 1000);
}

function onFrame(ws, event) {
  if (ws !== socket) { return; }
  let frame;
  try { frame = JSON.parse(event.data); } catch { return; }
  if (!frame || typeof frame.type !== "string") { return; }
  if (frame.type === "error" && helloFrame === null) {
    closeReason = frame.code === "busy" ? "Server busy" : "Refused";
    setStatus("down", closeReason, String(frame.message || ""));
    return;
  }
  if (frame.type === "hello") {
    closeReason = "";
    attempts = 0;
    helloFrame = frame;
    if (frame.contained === false) {
      setStatus("basic", "Connected · basic sandbox",
        "The server runs examples in its basic sandbox, without containment.");
    } else {
      setStatus("up", "Connected", "Examples run on the server in a " + (frame.sandbox || "") + " sandbox.");
    }
    emit("up", frame);
  }
  emit(frame.type, frame);
}

function onClose(ws, event) {
  if (ws !== socket) { return; }
  if (event.code === 1012) { closeReason = "Server restarting"; }
  socket = null;
  const wasUp = helloFrame !== null;
  helloFrame = null;
  if (wasUp) { emit("down", null); }
  scheduleRetry();
}

/** The socket lesson.html opened while the page loaded, with what it heard meanwhile; once. */
function adoptEarly() {
  const early = window.mpbookEarlySocket;
  delete window.mpbookEarlySocket;
  return early && early.socket.readyState <= 1 ? early : null;
}

/** Open the connection unless one is open or opening. */
export function connect() {
  if (socket && (socket.readyState === 0 || socket.readyState === 1)) { return; }
  if (retryTimer) { window.clearTimeout(retryTimer); retryTimer = null; }
  window.clearInterval(countdownTimer);
  countdownTimer = null;
  setStatus("connecting", "Connecting…");
  const early = adoptEarly();
  let ws;
  try {
    ws = early ? early.socket : new WebSocket(url());
  } catch {
    scheduleRetry();
    return;
  }
  socket = ws;
  ws.onmessage = (event) => onFrame(ws, event);
  ws.onclose = (event) => onClose(ws, event);
  ws.onerror = () => { /* onclose follows and schedules the retry */ };
  if (early) {
    for (const event of early.events) {
      if (event.type === "close") { onClose(ws, event); } else { onFrame(ws, event); }
    }
  }
}

/** The page has nothing to run: close the socket it opened early, if any. */
export function discardEarly() {
  const early = adoptEarly();
  if (early) { early.socket.close(); }
}

function reconnectNow() {
  if (!socket && retryTimer) { attempts = 0; connect(); }
}

/** Listen for a frame type ("hello", "output", ...) or "up" / "down". */
export function on(type, fn) { (listeners[type] = listeners[type] || []).push(fn); }

/** Send a frame; false when there is no open connection. */
export function send(frame) {
  if (!socket || socket.readyState !== 1 || !helloFrame) { return false; }
  socket.send(JSON.stringify(frame));
  return true;
}

/** The hello frame of the current connection, or null while not connected. */
export function hello() { return helloFrame; }

/** For tests: close the socket as if the network dropped. */
export function drop() { if (socket) { socket.close(); } }

window.addEventListener("online", reconnectNow);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") { reconnectNow(); }
});
