/* Exercise: the box of an exercise (figure.exercise). It is an example box (run.js's
   Example: editor, Run, Stop, start method, Reset) with the exercise's parts added:
   Check, each check's result with its mark and message, hints one at a time, and the
   solution after the first Check (at once when the server's `solutions` is "always",
   never when it is "off"). A passed Check marks the exercise solved (progress.js). */
import { button, clear, el } from "./dom.js";
import * as output from "./output.js";
import * as progress from "./progress.js";

/** The Exercise class, built on run.js's Example and its request(ex, times, kind). */
export function exerciseClass(Example, request) {
  return class Exercise extends Example {
    constructor(figure) {
      super(figure);
      this.checked = false;
      this.replaySeed = null;  /* the seed of the next Check, when it replays one */
      this.solutions = "after_check";
      this.checkButton = figure.querySelector("button.check");
      this.checkButton.title = "Run the checks on your code";
      this.checkButton.addEventListener("click", () => { this.check(); });
      this.results = figure.querySelector(".check-results");
      this.results.setAttribute("role", "region");
      this.results.setAttribute("aria-label", "Check results");
      this.hints();
      this.solutionBox = el("div", "solution");
      this.solutionBox.hidden = true;
      this.solutionButton = button("show-solution", "Show solution", "Show a program that passes every check");
      this.solutionButton.hidden = true;
      this.solutionButton.addEventListener("click", () => { this.showSolution(); });
      this.results.parentNode.insertBefore(this.solutionButton, this.results.nextSibling);
      this.solutionButton.parentNode.insertBefore(this.solutionBox, this.solutionButton.nextSibling);
      this.times3Button.hidden = true;
      window.fetch("/api/exercises/" + this.id, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((data) => { if (data) { this.solutions = data.solutions; this.offerSolution(); } })
        .catch(() => { /* offline: the button appears after a Check */ });
    }

    /** The hints, one at a time: the list stays, a button reveals the next item. */
    hints() {
      const fold = this.figure.querySelector(".exercise-hints");
      if (!fold) { return; }
      const items = [...fold.querySelectorAll("li")];
      const list = fold.querySelector("ol");
      const box = el("div", "hints");
      const next = button("next-hint", "Show a hint", "Reveal the next hint");
      for (const item of items) { item.hidden = true; }
      box.appendChild(list);
      box.appendChild(next);
      fold.replaceWith(box);
      let shown = 0;
      const label = () => {
        next.textContent = shown === 0 ? "Show a hint (" + items.length + ")" : "Show another hint (" + shown + " of " + items.length + " shown)";
        next.hidden = shown >= items.length;
      };
      next.addEventListener("click", () => {
        if (shown < items.length) { items[shown].hidden = false; shown += 1; }
        label();
      });
      label();
    }

    runFrame(plan) {
      const frame = { op: plan.kind === "check" ? "check" : "run", exercise: this.id };
      if (!this.editingOff) { frame.code = this.editor.code(); }
      if (plan.kind === "check" && this.replaySeed !== null) { frame.seed = this.replaySeed; }
      if (plan.kind !== "check" && plan.method) { frame.start_method = plan.method; }
      return frame;
    }

    online(hello) {
      super.online(hello);
      this.times3Button.hidden = true;
      this.editingOff = hello.editing === false;
      if (this.editingOff) { this.note.textContent = "Editing is turned off on this server, so exercises cannot be checked."; }
      this.running(this.isRunning);
    }

    offline() {
      super.offline();
      this.checkButton.disabled = true;
      const summary = this.results.querySelector(".check-summary");
      if (summary && !this.results.querySelector(".check-list")) {
        summary.textContent = "The connection to the server dropped, so the Check did not finish. Check again once it is back.";
      }
    }

    running(flag) {
      super.running(flag);
      if (this.checkButton) { this.checkButton.disabled = !!flag || this.runButton.disabled || !!this.editingOff; }
    }

    /** Check the code; with `seed`, make the same injected pauses as the Check that reported it. */
    check(seed = null) {
      if (this.checkButton.disabled) { return; }
      this.replaySeed = seed;
      this.editor.save();
      clear(this.results);
      this.results.hidden = false;
      this.results.appendChild(el("p", "check-summary", "Checking: the program runs under each start method the exercise names…"));
      request(this, 1, "check");
      this.running(true);
    }

    /** The view of a Check's run `index` (0 is the one the queue made). */
    checkView(index, method) {
      if (!this.views[index]) {
        const view = output.create(this.grid, "run " + (index + 1) + " of the check of " + this.id);
        view.root.insertBefore(el("div", "run-title", "Check run " + (index + 1) + (method ? " (" + method + ")" : "")), view.root.firstChild);
        this.views[index] = view;
      }
      return this.views[index];
    }

    /** The check frame: a mark and a message per check, what passing means, the seed. */
    showCheck(frame) {
      this.checked = true;
      clear(this.results);
      const failed = frame.results.filter((r) => !r.passed).length;
      const summary = frame.passed ? "Every check passed: exercise solved."
        : failed ? failed + " of " + frame.results.length + " checks failed."
          : "The Check was stopped before every run was made.";
      this.results.appendChild(el("p", "check-summary " + (frame.passed ? "passed" : "failed"), summary));
      const list = el("ul", "check-list");
      for (const result of frame.results) {
        const item = el("li", result.passed ? "check-passed" : "check-failed");
        const mark = el("span", "check-mark", result.passed ? "✓" : "✗");
        mark.setAttribute("aria-label", result.passed ? "passed" : "failed");
        item.appendChild(mark);
        item.appendChild(el("span", "check-name", result.name));
        item.appendChild(el("span", "check-message", result.message));
        list.appendChild(item);
      }
      this.results.appendChild(list);
      const seedLine = el("p", "check-seed", "Seed of the injected delays: " + frame.seed + ". ");
      if (!frame.passed) {
        const again = button("replay", "Check again with this seed", "Make the same pauses at the same points again");
        again.addEventListener("click", () => { this.check(frame.seed); });
        seedLine.appendChild(again);
      }
      this.results.appendChild(seedLine);
      if (frame.passed) { progress.markSolved(this.id); }
      this.offerSolution();
    }

    offerSolution() {
      this.solutionButton.hidden = this.solutions === "off" || (this.solutions !== "always" && !this.checked)
        || !this.solutionBox.hidden;
    }

    showSolution() {
      window.fetch("/api/exercises/" + this.id + "/solution", { credentials: "same-origin" })
        .then((r) => {
          if (!r.ok) { throw new Error(r.status === 404 ? "Solutions are turned off on this server." : "HTTP " + r.status); }
          return r.json();
        })
        .then((data) => {
          clear(this.solutionBox);
          this.solutionBox.appendChild(el("p", "panel-label", "A solution"));
          const code = el("pre", "solution-code", data.source);
          code.tabIndex = 0;  /* a scrollable region is reachable by keyboard */
          code.setAttribute("aria-label", "A solution of " + this.id);
          this.solutionBox.appendChild(code);
          this.solutionBox.hidden = false;
          this.solutionButton.hidden = true;
        })
        .catch((error) => { this.say(error.message); });
    }
  };
}
