/* Predict, then run: a lesson's question about the example that follows it
   (fieldset.predict, rendered from a ```predict fence). The reader picks an answer;
   when a run of that example ends, the choice whose `when` pattern is found in the
   run's stdout is what the run showed (a choice without `when`: none of the others),
   and the page says whether this run agreed with the reader's answer. */

function shown(data, stdout) {
  const index = data.choices.findIndex((c) => c.when !== null && new RegExp(c.when).test(stdout));
  return index >= 0 ? index : data.choices.findIndex((c) => c.when === null);
}

function init() {
  for (const box of document.querySelectorAll("fieldset.predict[data-predict]")) {
    const data = JSON.parse(box.querySelector("script.predict-data").textContent);
    const figure = document.getElementById("example-" + data.example);
    const verdict = box.querySelector(".predict-verdict");
    const explain = box.querySelector(".predict-explain");
    if (!figure) { continue; }
    box.addEventListener("change", () => {
      verdict.textContent = "Now run the example and see whether the run agrees.";
    });
    figure.addEventListener("mpbook:run-exit", (event) => {
      const picked = box.querySelector("input:checked");
      const showed = shown(data, event.detail.stdout || "");
      const saw = showed >= 0 ? "This run showed “" + data.choices[showed].text.replace(/`/g, "") + "”" : "This run showed none of the answers";
      if (!picked) {
        verdict.textContent = saw + ". Choose an answer before the next run, and see whether it agrees.";
      } else if (Number(picked.value) === showed) {
        verdict.textContent = saw + ": it agreed with your answer.";
      } else {
        verdict.textContent = saw + ": it did not agree with your answer.";
      }
      box.classList.toggle("agreed", !!picked && Number(picked.value) === showed);
      box.classList.toggle("disagreed", !!picked && Number(picked.value) !== showed);
      if (explain) { explain.hidden = false; }
    });
  }
}

if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
