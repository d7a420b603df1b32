/* 保存并下一份: save what is open in an editor, then open the next document of the list
   the reviewer came from (its filters and sort travel in the URL). After a sign-off or a
   return, the next document opens too while "审核后打开下一份" is ticked. */
"use strict";
(function () {
  const button = document.getElementById("save-next");
  if (!button || button.tagName !== "BUTTON") return;
  const next = button.dataset.next;
  const root = document.getElementById("review");
  const editing = () => (root ? root.querySelectorAll("td.v.editing") : []);

  /* press each open editor's save (an unchanged one just closes), then wait until every
     editor has closed: false when one stays open with a message (a refusal) */
  async function saveOpen() {
    Array.from(editing()).forEach((cell) => {
      const save = cell.querySelector(".editor button.primary");
      if (save) save.click();
    });
    for (let i = 0; i < 150; i++) {
      const open = Array.from(editing());
      if (!open.length) return true;
      const waiting = open.some((c) => (c.querySelector(".msg") || {}).textContent === UI.t("review.saving"));
      if (!waiting && i > 3) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  function go() { window.location.assign(next); }

  button.addEventListener("click", async () => {
    button.disabled = true;
    if (editing().length) UI.toast(UI.t("review.next_saving"));
    const saved = await saveOpen();
    if (!saved) { button.disabled = false; UI.toast(UI.t("review.next_blocked"), true); return; }
    go();
  });

  document.addEventListener("jixiao:step", (e) => {
    const box = document.getElementById("next-after-step");
    const action = e.detail && e.detail.action;
    if (!box || !box.checked || action === "opinion") return;
    setTimeout(go, 900); /* the toast with the new state is seen first */
  });
})();
