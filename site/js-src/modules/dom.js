/* DOM helpers shared by the page's modules. */

/** A new element with an optional class and text (set as text, never as HTML). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined && text !== null) { node.textContent = text; }
  return node;
}

/** A button that submits nothing. */
export function button(className, text, title) {
  const b = el("button", className, text);
  b.type = "button";
  if (title) { b.title = title; }
  return b;
}

/** Remove every child of `node`. */
export function clear(node) {
  while (node.firstChild) { node.removeChild(node.firstChild); }
}
