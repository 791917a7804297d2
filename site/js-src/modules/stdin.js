/* Stdin: the input line under a running program's output. Enter sends the line
   (with its newline) to the main process's stdin, "End input" closes it (as
   Ctrl+D in a terminal); the output shows what was sent, as a terminal echoes it.
   When the program blocks reading its input ("input" frame), the line says so. */
import { button, el } from "./dom.js";

export class InputLine {
  /** `send(frame)` sends a client frame; `echo(text)` shows sent input in the output. */
  constructor(parent, label, send, echo) {
    this.send = send;
    this.echo = echo;
    this.root = el("form", "run-input");
    this.root.hidden = true;
    const name = el("label", "ri-label", "Input");
    this.field = el("input", "ri-field");
    this.field.type = "text";
    this.field.autocomplete = "off";
    this.field.spellcheck = false;
    this.field.setAttribute("aria-label", "Input to " + label + ": Enter sends a line");
    name.appendChild(this.field);
    this.root.appendChild(name);
    this.sendButton = button("ri-send", "Send", "Send this line to the program's standard input (Enter)");
    this.sendButton.type = "submit";
    this.eofButton = button("ri-eof", "End input", "Close the program's standard input (Ctrl+D)");
    this.root.appendChild(this.sendButton);
    this.root.appendChild(this.eofButton);
    this.note = el("span", "ri-note");
    this.note.setAttribute("role", "status");
    this.root.appendChild(this.note);
    parent.appendChild(this.root);
    this.root.addEventListener("submit", (event) => { event.preventDefault(); this.line(); });
    this.eofButton.addEventListener("click", () => { this.end(); });
    this.field.addEventListener("keydown", (event) => {
      if (event.key === "d" && event.ctrlKey) { event.preventDefault(); this.end(); }
    });
  }

  /** The run started: take input. */
  open() {
    this.root.hidden = false;
    this.setEnabled(true);
  }

  line() {
    if (this.field.disabled) { return; }
    const text = this.field.value + "\n";
    if (this.send({ op: "stdin", data: text })) {
      this.echo(text);
      this.field.value = "";
    }
  }

  end() {
    if (this.field.disabled) { return; }
    if (this.send({ op: "stdin", eof: true })) {
      this.setEnabled(false);
      this.say("Input closed: the program's next read gets end of file.");
    }
  }

  /** The program blocks reading its input (or no longer does). */
  waiting(flag) {
    this.root.classList.toggle("waiting", !!flag);
    if (flag) { this.say("The program waits for input: type a line and press Enter."); } else { this.say(""); }
  }

  say(text) { this.note.textContent = text; }

  setEnabled(flag) {
    this.field.disabled = !flag;
    this.sendButton.disabled = !flag;
    this.eofButton.disabled = !flag;
  }

  /** The run is over. */
  close() {
    this.setEnabled(false);
    this.root.classList.remove("waiting");
    this.root.hidden = true;
  }
}
