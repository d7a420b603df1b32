/* Review workflow on the review page: the steps (初审 / 复核 / 审核通过 / 退回), the opinion
   (审核意见), findings as work items (确认无误 / 忽略 / 重新处理, with a comment), 采用此值 with a
   confirmation and an undo. Every change goes to the API; the state bar and the findings are
   then replaced with the server's current rendering (/ui/documents/{id}/review-fragments),
   so the page never shows a state the server does not hold. */
"use strict";
window.ReviewFlow = (function () {
  const root = document.getElementById("review");
  if (!root || !document.getElementById("findings")) return { refresh: function () {} };
  const docId = root.dataset.doc;
  const t = UI.t;
  const base = "/documents/" + encodeURIComponent(docId);

  function errorMessage(err) {
    const key = "review.err." + (err.code || "");
    const known = t(key);
    return known !== key ? known : err.message;
  }

  /* --- the server's current state ------------------------------------------------------ */
  async function refresh() {
    try {
      const r = await fetch("/ui/documents/" + encodeURIComponent(docId) + "/review-fragments",
        { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!r.ok) return;
      const body = await r.json();
      const actions = document.getElementById("review-actions");
      const findings = document.getElementById("findings");
      const dirty = document.getElementById("dirty-note");
      const wasDirty = dirty && !dirty.hidden;
      const openList = findings.querySelector("details.flist-wrap");
      const keepOpen = openList ? openList.open : true;
      if (actions) actions.innerHTML = body.actions;
      findings.innerHTML = body.findings;
      const list = findings.querySelector("details.flist-wrap");
      if (list && keepOpen) list.open = true;
      const note = document.getElementById("dirty-note");
      if (note) note.hidden = !wasDirty;
      root.dataset.reviewState = body.state;
    } catch (e) { /* the next page load shows it */ }
  }

  async function call(method, url, body) {
    try {
      return await UI.api(method, url, body);
    } catch (err) {
      if (err.status === 409) refresh();
      throw err;
    }
  }

  /* --- steps: sign-offs and 退回 ---------------------------------------------------------- */
  const dialog = document.getElementById("step-dialog");
  let pending = null;
  function openStep(button) {
    const action = button.dataset.step;
    const openErrors = Number(button.dataset.openErrors || 0);
    const label = t("review.act." + action);
    const isReturn = action === "return";
    document.getElementById("step-title").textContent = isReturn ? t("review.return_title") : t("review.signoff_title", { action: label });
    document.getElementById("step-text").textContent = isReturn ? "" : t("review.signoff_text", { action: label });
    document.getElementById("step-reasons-box").hidden = !isReturn;
    document.getElementById("step-reasons").value = "";
    const override = document.getElementById("step-override-box");
    override.hidden = isReturn || openErrors === 0;
    document.getElementById("step-override-label").textContent = t("review.override", { n: openErrors });
    document.getElementById("step-override").value = "";
    const opinion = document.getElementById("opinion-text");
    document.getElementById("step-opinion").value = opinion && opinion.value !== undefined ? opinion.value : "";
    document.getElementById("step-msg").textContent = "";
    pending = { action, openErrors };
    dialog.showModal();
    (isReturn ? document.getElementById("step-reasons") : (override.hidden ? document.getElementById("step-opinion") : document.getElementById("step-override"))).focus();
  }
  if (dialog) dialog.addEventListener("input", () => { document.getElementById("step-msg").textContent = ""; });
  if (dialog) document.getElementById("step-ok").addEventListener("click", async (e) => {
    e.preventDefault();
    if (!pending) return;
    const msg = document.getElementById("step-msg");
    const body = { action: pending.action };
    const opinion = document.getElementById("step-opinion").value.trim();
    if (opinion) body.opinion = opinion;
    if (pending.action === "return") {
      body.reasons = document.getElementById("step-reasons").value.split("\n").map((s) => s.trim()).filter(Boolean);
      if (!body.reasons.length) { msg.textContent = t("review.return_needs_reason"); return; }
    } else if (pending.openErrors > 0) {
      body.override_reason = document.getElementById("step-override").value.trim();
      if (!body.override_reason) { msg.textContent = t("review.override_needed"); return; }
    }
    const ok = document.getElementById("step-ok");
    ok.disabled = true;
    try {
      const answer = await call("POST", base + "/review", body);
      dialog.close();
      pending = null;
      UI.toast(answer.state_zh);
      await refresh();
      document.dispatchEvent(new CustomEvent("jixiao:step", { detail: { action: body.action } }));
    } catch (err) {
      msg.textContent = errorMessage(err);
    } finally { ok.disabled = false; }
  });

  async function saveOpinion(button) {
    const text = document.getElementById("opinion-text");
    const opinion = text ? text.value.trim() : "";
    if (!opinion) { UI.toast(t("review.opinion_empty"), true); return; }
    button.disabled = true;
    try {
      await call("POST", base + "/review", { action: "opinion", opinion });
      UI.toast(t("review.opinion_saved"));
      await refresh();
    } catch (err) { UI.toast(errorMessage(err), true); button.disabled = false; }
  }

  /* --- findings: 确认无误 / 忽略 / 重新处理 --------------------------------------------------- */
  function findingForm(button) {
    const li = button.closest("li.finding");
    const state = button.dataset.fstate;
    if (state === "open") { setFindingState(li, state, ""); return; }
    const old = li.querySelector(".fform");
    if (old) old.remove();
    const form = document.createElement("span");
    form.className = "fform";
    const input = document.createElement("input");
    input.type = "text"; input.maxLength = 2000; input.placeholder = t("review.f.comment_hint");
    input.setAttribute("aria-label", t("review.f.comment_hint"));
    const ok = document.createElement("button");
    ok.type = "button"; ok.className = "btn tiny primary"; ok.textContent = t("review.f." + (state === "confirmed" ? "confirm" : "ignore"));
    const cancel = document.createElement("button");
    cancel.type = "button"; cancel.className = "btn tiny ghost"; cancel.textContent = t("review.cancel");
    const msg = document.createElement("span");
    msg.className = "err";
    form.append(input, " ", ok, " ", cancel, " ", msg);
    li.appendChild(form);
    input.focus();
    const submit = () => {
      if (state === "ignored" && !input.value.trim()) { msg.textContent = t("review.f.needs_comment"); input.focus(); return; }
      setFindingState(li, state, input.value.trim(), msg);
    };
    ok.addEventListener("click", submit);
    cancel.addEventListener("click", () => form.remove());
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); submit(); }
      else if (e.key === "Escape") { e.preventDefault(); form.remove(); }
    });
  }
  async function setFindingState(li, state, comment, msg) {
    const body = { state };
    if (comment) body.comment = comment;
    try {
      await call("POST", base + "/findings/" + encodeURIComponent(li.dataset.key) + "/state", body);
      UI.toast(t("review.f." + state));
      await refresh();
    } catch (err) {
      if (msg) msg.textContent = errorMessage(err); else UI.toast(errorMessage(err), true);
    }
  }

  /* --- 采用此值, asked first, with an undo -------------------------------------------------- */
  const adoptDialog = document.getElementById("adopt-dialog");
  let adopting = null;
  function askAdopt(button) {
    adopting = button;
    document.getElementById("adopt-text").textContent = t("review.adopt_text", {
      field: button.dataset.field, old: button.dataset.old, value: button.dataset.new,
    });
    adoptDialog.showModal();
  }
  if (adoptDialog) adoptDialog.addEventListener("close", async () => {
    const button = adopting;
    adopting = null;
    if (!button || adoptDialog.returnValue !== "ok") return;
    adoptDialog.returnValue = "";
    try {
      const answer = await call("POST", base + "/findings/" + encodeURIComponent(button.dataset.key) + "/adopt",
        { item: Number(button.dataset.item) });
      updateCell(answer.correction);
      await refresh();
      if (window.ReviewPage) window.ReviewPage.refreshHistory();
      offerUndo(t("review.adopted", { value: button.dataset.new }), answer.correction.id);
    } catch (err) { UI.toast(errorMessage(err), true); }
  });

  function updateCell(correction) {
    if (window.ReviewPage) window.ReviewPage.showValue(correction.path, correction.new_value);
  }

  function offerUndo(text, correctionId) {
    const toast = document.getElementById("toast");
    if (!toast) return;
    toast.replaceChildren(document.createTextNode(text + " "));
    const undo = document.createElement("button");
    undo.type = "button"; undo.className = "btn tiny"; undo.id = "undo";
    undo.textContent = t("review.undo");
    toast.appendChild(undo);
    toast.hidden = false; toast.classList.remove("bad");
    const timer = setTimeout(() => { toast.hidden = true; }, 12000);
    undo.addEventListener("click", async () => {
      clearTimeout(timer);
      undo.disabled = true;
      try {
        const answer = await call("POST", base + "/corrections/" + correctionId + "/undo");
        updateCell(answer.correction);
        await refresh();
        if (window.ReviewPage) window.ReviewPage.refreshHistory();
        UI.toast(t("review.undone"));
      } catch (err) { UI.toast(errorMessage(err), true); }
    });
  }

  /* --- resubmission after 退回: the corrected file is read as the document's new version -- */
  root.addEventListener("submit", async (e) => {
    if (e.target.id !== "resubmit-form") return;
    e.preventDefault();
    const input = document.getElementById("resubmit-file");
    if (!input.files.length) return;
    const data = new FormData();
    data.append("file", input.files[0]);
    const button = e.target.querySelector("button");
    button.disabled = true;
    UI.toast(t("review.resubmitting"));
    try {
      const r = await fetch(base + "/resubmit", {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRF-Token": UI.csrf(), "Accept": "application/json" },
      });
      const body = await r.json().catch(() => null);
      if (!r.ok) throw new Error(UI.errorText(body, r.status));
      location.reload();
    } catch (err) { button.disabled = false; UI.toast(err.message, true); }
  });

  root.addEventListener("change", (e) => {
    if (e.target.id !== "resubmit-file") return;
    const file = e.target.files[0];
    document.getElementById("resubmit-name").textContent = file ? file.name : "";
    document.getElementById("resubmit-send").disabled = !file;
  });

  /* --- clicks ------------------------------------------------------------------------------- */
  root.addEventListener("click", (e) => {
    const target = e.target;
    const step = target.closest("button[data-step]");
    if (step) { openStep(step); return; }
    if (target.closest("#opinion-save")) { saveOpinion(target.closest("#opinion-save")); return; }
    const fstate = target.closest("button[data-fstate]");
    if (fstate) { findingForm(fstate); return; }
    const use = target.closest("button.use");
    if (use) { askAdopt(use); return; }
    const link = target.closest("[data-correction-link]");
    if (link) {
      const row = document.querySelector('tr[data-correction="' + link.dataset.correctionLink + '"]');
      if (row) {
        row.scrollIntoView({ block: "center" });
        row.classList.add("flash-row");
        setTimeout(() => row.classList.remove("flash-row"), 1600);
      }
    }
  });

  return { refresh };
})();
