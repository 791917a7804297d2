// mpbook's CodeMirror bundle: the few CodeMirror 6 parts the book's editor
// uses, exposed as window.MPBookCodeMirror.create(). Built by `npm run build`
// (site/js-src/build.mjs) into site/static/vendor/codemirror-<version>.min.js.
// site/static/js/editor.js loads the bundle when a reader first reaches for
// the code, and does everything else (storage, reset, share links) itself.
import { EditorState, Compartment } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLineGutter, highlightSpecialChars,
  drawSelection, highlightActiveLine,
} from "@codemirror/view";
import {
  defaultKeymap, history, historyKeymap, indentWithTab,
} from "@codemirror/commands";
import {
  syntaxHighlighting, bracketMatching, indentOnInput, indentUnit,
} from "@codemirror/language";
import { classHighlighter } from "@lezer/highlight";
import { pythonLanguage } from "@codemirror/lang-python";

// Colours come from run.css (.tok-* classes and CSS variables), so the
// editor follows the book's light and dark themes without a second theme.
const layout = EditorView.theme({
  "&": { fontSize: "0.88em" },
  ".cm-content": { fontFamily: "inherit", padding: "0.8rem 0" },
  ".cm-scroller": { fontFamily: "inherit", lineHeight: "1.5" },
});

function create(options) {
  const readOnly = new Compartment();
  const extensions = [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    indentOnInput(),
    indentUnit.of("    "),
    EditorState.tabSize.of(4),
    bracketMatching(),
    highlightActiveLine(),
    syntaxHighlighting(classHighlighter),
    pythonLanguage,
    layout,
    keymap.of([...(options.keys || []), ...defaultKeymap, ...historyKeymap, indentWithTab]),
    readOnly.of([EditorState.readOnly.of(!!options.readOnly), EditorView.editable.of(!options.readOnly)]),
    EditorView.contentAttributes.of({ "aria-label": options.label || "Code editor" }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged && options.onChange) options.onChange(update.state.doc.toString());
    }),
  ];
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({ doc: options.doc || "", extensions }),
  });
  return {
    view,
    getCode() { return view.state.doc.toString(); },
    setCode(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setReadOnly(flag) {
      view.dispatch({ effects: readOnly.reconfigure([EditorState.readOnly.of(flag), EditorView.editable.of(!flag)]) });
    },
    focusAt(x, y) {
      const pos = x == null ? null : view.posAtCoords({ x, y });
      if (pos != null) view.dispatch({ selection: { anchor: pos } });
      view.focus();
    },
    destroy() { view.destroy(); },
  };
}

window.MPBookCodeMirror = { create };
