/* Progress: the exercises this reader has solved, kept in this browser's localStorage
   under mpbook.solved (a JSON list of exercise ids). Marks them in the table of contents
   (each lesson's `.toc-exercises`), counts them ("3 of 21 exercises solved") on the home
   page and in the sidebar, marks solved exercise boxes, and clears it all on request. */
import { el } from "./dom.js";

const KEY = "mpbook.solved";

/** The ids of the solved exercises. */
export function solved() {
  try {
    const ids = JSON.parse(window.localStorage.getItem(KEY) || "[]");
    return new Set(Array.isArray(ids) ? ids.filter((id) => typeof id === "string") : []);
  } catch { return new Set(); }
}

function save(ids) {
  try {
    if (ids.size) { window.localStorage.setItem(KEY, JSON.stringify([...ids].sort())); } else { window.localStorage.removeItem(KEY); }
  } catch { /* storage blocked: progress lasts as long as the page */ }
  render(ids);
}

/** Remember that exercise `id` was solved. */
export function markSolved(id) {
  const ids = solved();
  ids.add(id);
  save(ids);
}

/** Forget every solved exercise. */
export function clearAll() { save(new Set()); }

/** Put the marks and counts on the page. */
export function render(ids = solved()) {
  for (const mark of document.querySelectorAll(".toc-exercises[data-exercises]")) {
    const mine = mark.getAttribute("data-exercises").split(" ").filter(Boolean);
    const done = mine.filter((id) => ids.has(id)).length;
    const noun = mine.length === 1 ? "exercise" : "exercises";
    mark.textContent = done ? (done === mine.length ? "✓ " : "") + done + " of " + mine.length + " " + noun + " solved"
      : mine.length + " " + noun;
    mark.classList.toggle("all-solved", done === mine.length);
    mark.classList.toggle("some-solved", done > 0);
  }
  for (const box of document.querySelectorAll(".progress[data-exercise-total]")) {
    const total = Number(box.getAttribute("data-exercise-total"));
    box.hidden = false;
    box.querySelector(".progress-count").textContent = ids.size + " of " + total + " exercises solved";
    box.querySelector(".clear-progress").hidden = ids.size === 0;
  }
  for (const figure of document.querySelectorAll("figure.exercise[data-exercise]")) {
    const isSolved = ids.has(figure.getAttribute("data-exercise"));
    figure.classList.toggle("solved", isSolved);
    const mark = figure.querySelector(".solved-mark");
    if (mark) { mark.hidden = !isSolved; }
  }
}

function init() {
  for (const clear of document.querySelectorAll(".clear-progress")) {
    clear.addEventListener("click", () => {
      clearAll();
      const note = el("span", "progress-cleared", "Progress cleared.");
      note.setAttribute("role", "status");
      clear.parentNode.appendChild(note);
      window.setTimeout(() => { note.remove(); }, 4000);
    });
  }
  /* Another tab solved or cleared something. */
  window.addEventListener("storage", (event) => { if (event.key === KEY || event.key === null) { render(); } });
  render();
}

if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
