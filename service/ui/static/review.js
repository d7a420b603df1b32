/* Review page: click a value to see where it stands on the page (and a box to find its
   value), edit values and rows inline through the API's correction endpoint. The review
   steps and findings' states are review_flow.js.
   Keyboard: Tab moves between values, Enter (or F2, or a double click) edits, Enter saves,
   Esc cancels. Unsaved edits are marked and guarded by a beforeunload warning. */
"use strict";
(function () {
  const root = document.getElementById("review");
  if (!root) return;
  const docId = root.dataset.doc;
  const canEdit = root.dataset.canEdit === "1";
  const pagesPane = document.getElementById("pages");
  const recordsPane = document.getElementById("records");
  const t = UI.t;
  const esc = (s) => (window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&"));
  const recordUrl = (path) => "/documents/" + encodeURIComponent(docId) + "/records/" + path;

  /* --- processing: wait for the extraction ------------------------------------------- */
  if (["queued", "processing"].includes(root.dataset.status)) {
    setInterval(async () => {
      try {
        const doc = await UI.api("GET", "/documents/" + encodeURIComponent(docId));
        if (doc.status === "done" || doc.status === "failed") location.reload();
      } catch (e) { /* try again */ }
    }, 1500);
  }
  if (!recordsPane) return;

  /* --- keep scroll positions across the reloads that follow row changes ---------------- */
  const scrollKey = "jixiao-scroll-" + docId;
  try {
    const saved = JSON.parse(sessionStorage.getItem(scrollKey) || "null");
    if (saved) {
      sessionStorage.removeItem(scrollKey);
      if (pagesPane) pagesPane.scrollTop = saved.pages;
      recordsPane.scrollTop = saved.records;
    }
  } catch (e) { /* no storage: fine */ }
  function reload(flash) {
    try {
      sessionStorage.setItem(scrollKey, JSON.stringify({
        pages: pagesPane ? pagesPane.scrollTop : 0, records: recordsPane.scrollTop,
      }));
    } catch (e) { /* ignore */ }
    const url = new URL(location.href);
    url.searchParams.delete("flash");
    if (flash) url.searchParams.set("flash", flash);
    location.replace(url.toString());
  }

  /* --- highlighting ------------------------------------------------------------------- */
  function clearActive() {
    root.querySelectorAll(".active").forEach((el) => el.classList.remove("active"));
  }
  function scrollWithin(pane, el, fraction) {
    if (!pane || !el) return;
    const p = pane.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    const target = pane.scrollTop + (r.top - p.top) - pane.clientHeight * fraction;
    const to = { top: Math.max(0, target), behavior: "smooth" };
    // a box on a page zoomed wider than the pane: across too, in the same scroll
    if (r.left < p.left || r.right > p.right) to.left = Math.max(0, pane.scrollLeft + (r.left - p.left) - pane.clientWidth * 0.3);
    pane.scrollTo(to);
  }
  /* a spreadsheet's cell in a sheet wider than the pane: bring its column into view */
  function scrollAcross(el) {
    const wrap = el.closest(".sheet-wrap");
    if (!wrap) return;
    const w = wrap.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (r.left >= w.left && r.right <= w.right) return;
    wrap.scrollTo({ left: Math.max(0, wrap.scrollLeft + (r.left - w.left) - wrap.clientWidth * 0.3), behavior: "smooth" });
  }
  function openDetails(el) {
    for (let d = el && el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
  }
  /* select(refs): light up the boxes, cells, marks and finding chips of each ref */
  function select(refs, opts) {
    opts = opts || {};
    clearActive();
    let firstBox = null, firstCell = null;
    for (const ref of refs.filter(Boolean)) {
      root.querySelectorAll('.box[data-ref="' + esc(ref) + '"]').forEach((b) => { b.classList.add("active"); firstBox = firstBox || b; });
      root.querySelectorAll('mark.src[data-refs~="' + esc(ref) + '"]').forEach((m) => { m.classList.add("active"); firstBox = firstBox || m; });
      root.querySelectorAll('td.v[data-path="' + esc(ref) + '"]').forEach((c) => { c.classList.add("active"); firstCell = firstCell || c; });
      root.querySelectorAll('.fitem[data-ref="' + esc(ref) + '"]').forEach((f) => f.classList.add("active"));
    }
    if (opts.scrollPage !== false) {
      if (firstBox) { scrollWithin(pagesPane, firstBox, 0.35); scrollAcross(firstBox); }
      else if (opts.page) scrollWithin(pagesPane, document.getElementById("page-" + opts.page), 0.02);
    }
    if (opts.scrollRecord && firstCell) { openDetails(firstCell); scrollWithin(recordsPane, firstCell, 0.35); }
    return { box: firstBox, cell: firstCell };
  }

  root.addEventListener("click", (e) => {
    const target = e.target;
    const cell = target.closest("td.v");
    if (cell && !cell.classList.contains("editing")) {
      select([cell.dataset.path], { page: cell.dataset.page });
      return;
    }
    const box = target.closest(".box");
    if (box) {
      const ref = box.dataset.ref;
      if (ref.startsWith("finding/")) {
        const chip = root.querySelector('.fitem[data-ref="' + esc(ref) + '"]');
        select([ref, chip && chip.dataset.path], { scrollPage: false, scrollRecord: true });
        if (chip) { openDetails(chip); chip.scrollIntoView({ block: "nearest" }); }
      } else {
        const hit = select([ref], { scrollPage: false, scrollRecord: true });
        if (hit.cell) hit.cell.focus({ preventScroll: true });
      }
      return;
    }
    const sheetCell = target.closest("table.sheet td");
    const mark = target.closest("mark.src") || (sheetCell && sheetCell.querySelector("mark.src"));
    if (mark) { select([mark.dataset.refs.split(" ")[0]], { scrollPage: false, scrollRecord: true }); return; }
    const fitem = target.closest(".fitem");
    if (fitem) { select([fitem.dataset.ref, fitem.dataset.path], { scrollRecord: true, page: fitem.dataset.page }); return; }
    const link = target.closest(".chip[data-path], button.link[data-path]");
    if (link) { select([link.dataset.path], { scrollRecord: true }); return; }
    const del = target.closest("button.del");
    if (del) { deleteRow(del.dataset.del); return; }
    const add = target.closest("button.add");
    if (add) { addRow(add.dataset.add); return; }
  });
  root.addEventListener("dblclick", (e) => {
    const cell = e.target.closest("td.v");
    if (cell && canEdit) openEditor(cell);
  });
  root.addEventListener("keydown", (e) => {
    const cell = e.target.closest ? e.target.closest("td.v") : null;
    if (!cell || cell.classList.contains("editing") || e.target !== cell) return;
    if (e.key === "Enter" || e.key === "F2") {
      e.preventDefault();
      select([cell.dataset.path], { page: cell.dataset.page });
      if (canEdit) openEditor(cell);
    }
  });
  root.addEventListener("focusin", (e) => {
    const cell = e.target.classList && e.target.classList.contains("v") ? e.target : null;
    if (cell && !cell.classList.contains("editing")) select([cell.dataset.path], { page: cell.dataset.page });
  });

  /* --- dirty state ---------------------------------------------------------------------- */
  const dirtyNote = document.getElementById("dirty-note");
  function dirtyCount(except) {
    let n = 0;
    root.querySelectorAll("td.v.dirty").forEach((c) => { if (c !== except) n++; });
    root.querySelectorAll("tr.newrow").forEach((r) => {
      if (r !== except && Array.from(r.querySelectorAll("input,textarea")).some((i) => i.value.trim())) n++;
    });
    return n;
  }
  function updateDirty() { if (dirtyNote) dirtyNote.hidden = dirtyCount() === 0; }
  window.addEventListener("beforeunload", (e) => {
    if (dirtyCount() > 0) { e.preventDefault(); e.returnValue = ""; }
  });
  function guard(except) {
    if (dirtyCount(except) > 0) { UI.toast(t("review.finish_edits"), true); return false; }
    return true;
  }

  /* --- values ---------------------------------------------------------------------------- */
  function fmtNum(v) { return Number.isInteger(v) ? String(v) : String(parseFloat(v.toFixed(6))); }
  const PREFIX = new Set(["≥", "≤", ">", "<", "约", "近", "超过", "不低于", "不高于", "达"]);
  /* figures as finance staff read them: the page's live twin of service.records.figures */
  const MONEY = { "万元": 1, "万": 1, "亿元": 10000, "千元": 0.1, "元": 0.0001 };
  function grouped(v, digits) {
    return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: 2 });
  }
  function figNum(v, unit) {
    if (unit in MONEY || unit === "%" || unit === "‰") return grouped(v, 2);
    if (!unit) return fmtNum(v);  /* a year: 2023, not 2,023 */
    return grouped(v, 0);
  }
  function withUnit(v, unit) {
    const text = figNum(v, unit);
    if (!unit) return text;
    return unit === "%" || unit === "‰" ? text + unit : text + " " + unit;
  }
  /* what a typed entry will be saved as: '1,234.5元' in a 万元 field → 0.12345 万元 */
  function typedPreview(text, fieldUnit) {
    const m = text.normalize("NFKC").trim().match(/^([-+]?[\d,，]*\.?\d+)\s*(亿元|万元|千元|元|万|%)?$/);
    if (!m) return null;
    const n = Number(m[1].replace(/[,，]/g, ""));
    const stated = m[2] || fieldUnit || "";
    if (stated in MONEY && fieldUnit in MONEY) {
      const v = n * MONEY[stated] / MONEY[fieldUnit];
      const shown = withUnit(Number(v.toPrecision(12)), fieldUnit);
      return { text: m[2] && stated !== fieldUnit ? shown + "（" + t("review.original", { raw: text.trim() }) + "）" : shown, typed: !!m[2] };
    }
    if (fieldUnit && m[2] && m[2] !== fieldUnit) return null;
    return { text: withUnit(n, stated), typed: !!m[2] };
  }
  function show(node) {
    if (node === null || node === undefined) return "";
    if (typeof node !== "object") return String(node);
    let v = node.value;
    if (v === null || v === undefined) return "";
    let text = typeof v === "number" ? figNum(v, node.unit) : String(v);
    if (node.comparator) text = PREFIX.has(node.comparator) ? node.comparator + text : text + node.comparator;
    if (node.direction === "增长") text = "↑" + text;
    if (node.direction === "下降") text = "↓" + text;
    return text;
  }
  function parseNumber(text) {
    const s = text.normalize("NFKC").replace(/[,，\s]/g, "").replace(/%$/, "");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return null;
    return Number(s);
  }
  function renderCell(cell, node) {
    const text = show(node);
    const unit = node && typeof node === "object" ? node.unit : null;
    cell.innerHTML = "";
    if (!text) {
      const dash = document.createElement("span"); dash.className = "dash"; dash.textContent = "—"; cell.appendChild(dash);
    } else {
      const span = document.createElement("span"); span.className = "txt";
      span.textContent = unit === "%" && !text.endsWith("%") ? text + "%" : text;
      cell.appendChild(span);
      if (unit && unit !== "%" && !text.endsWith(unit)) {
        const u = document.createElement("span"); u.className = "unit"; u.textContent = unit; cell.appendChild(u);
      }
      if (node.original_unit && node.raw && node.original_unit !== unit) {
        const o = document.createElement("span"); o.className = "orig"; o.textContent = t("review.original", { raw: node.raw }); cell.appendChild(o);
      }
    }
    if (cell.dataset.page) {
      const pg = document.createElement("span"); pg.className = "pg"; pg.textContent = "p" + cell.dataset.page; cell.appendChild(pg);
    }
    cell.classList.toggle("empty", !text);
    cell.classList.remove("missing");
    cell.dataset.edit = node && typeof node === "object" ? (node.value === null || node.value === undefined ? "" : (typeof node.value === "number" ? fmtNum(node.value) : String(node.value))) : (node === null || node === undefined ? "" : String(node));
    if (unit) cell.dataset.unit = unit; else delete cell.dataset.unit;
  }

  /* --- the inline editor ------------------------------------------------------------------- */
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text) node.textContent = text;
    return node;
  }
  function openEditor(cell) {
    if (cell.classList.contains("editing")) return;
    const saved = Array.from(cell.childNodes);
    const numeric = cell.dataset.num === "1";
    const long = cell.dataset.long === "1";
    const original = { value: cell.dataset.edit || "", unit: cell.dataset.unit || "" };
    cell.classList.add("editing");
    const box = el("div", { class: "editor" });
    const line = el("div", { class: "line" });
    const value = long ? el("textarea", { rows: "3" }) : el("input", { type: "text", inputmode: numeric ? "decimal" : "text" });
    value.value = original.value;
    value.setAttribute("aria-label", t("review.value") + " " + cell.dataset.label);
    value.classList.add("value-in");
    line.appendChild(value);
    let unit = null;
    if (numeric) {
      unit = el("input", { type: "text", class: "unit-in", placeholder: t("review.unit"), "aria-label": t("review.unit") });
      unit.value = original.unit;
      line.appendChild(unit);
    }
    const reason = el("input", { type: "text", class: "reason", placeholder: t("review.reason_hint"), maxlength: "2000", "aria-label": t("review.reason") });
    const msg = el("div", { class: "msg", role: "alert" });
    const preview = el("div", { class: "preview", "aria-live": "polite" });
    const btns = el("div", { class: "btns" });
    const saveBtn = el("button", { type: "button", class: "btn tiny primary" }, t("review.save"));
    const cancelBtn = el("button", { type: "button", class: "btn tiny ghost" }, t("review.cancel"));
    btns.appendChild(saveBtn);
    if (cell.dataset.clear === "1") {
      const clearBtn = el("button", { type: "button", class: "btn tiny ghost" }, t("review.clear"));
      clearBtn.addEventListener("click", () => submit(cell, { op: "delete" }, reason.value, msg, close));
      btns.appendChild(clearBtn);
    }
    btns.appendChild(cancelBtn);
    box.append(line, preview, reason, msg, btns);
    cell.replaceChildren(box);

    const changed = () => value.value !== original.value || (unit && unit.value !== original.unit);
    const onInput = () => {
      cell.classList.toggle("dirty", !!changed()); updateDirty();
      const p = numeric && value.value.trim() ? typedPreview(value.value, (unit && unit.value.trim()) || original.unit) : null;
      preview.textContent = p ? t("review.will_save", { value: p.text }) : "";
    };
    value.addEventListener("input", onInput);
    if (unit) unit.addEventListener("input", onInput);
    function close(node) {
      cell.classList.remove("editing", "dirty");
      if (node === undefined) cell.replaceChildren(...saved); else renderCell(cell, node);
      updateDirty();
      cell.focus({ preventScroll: true });
    }
    function save() {
      if (!changed()) { close(); return; }
      const text = value.value.trim();
      if (!text) {
        if (cell.dataset.clear === "1") { submit(cell, { op: "delete" }, reason.value, msg, close); return; }
        msg.textContent = t("review.not_number"); return;
      }
      let newValue = text;
      if (numeric) {
        const p = typedPreview(text, (unit && unit.value.trim()) || original.unit);
        if (p && p.typed && /[元万]$/.test(text)) { submit(cell, { op: "set", value: text }, reason.value, msg, close); return; }
        const n = parseNumber(text);
        if (n === null) { msg.textContent = t("review.not_number"); value.focus(); return; }
        newValue = n;
        if (unit && unit.value !== original.unit) newValue = { value: n, unit: unit.value.trim() || null };
      }
      submit(cell, { op: "set", value: newValue }, reason.value, msg, close);
    }
    saveBtn.addEventListener("click", save);
    cancelBtn.addEventListener("click", () => close());
    box.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); close(); }
      else if (e.key === "Enter" && !(e.shiftKey && e.target.tagName === "TEXTAREA")) {
        if (e.target.tagName === "BUTTON") return;
        e.preventDefault(); save();
      }
    });
    box.addEventListener("click", (e) => e.stopPropagation());
    box.addEventListener("dblclick", (e) => e.stopPropagation());
    value.focus();
    if (value.select) value.select();
  }

  async function submit(cell, body, reason, msg, close) {
    if (reason && reason.trim()) body.reason = reason.trim();
    msg.textContent = t("review.saving");
    try {
      const method = "PATCH";
      const result = await UI.api(method, recordUrl(cell.dataset.path), body);
      close(result.correction.new_value);
      cell.classList.add("corrected");
      corrected(cell);
      UI.toast(t("review.saved"));
      refreshHistory();
      // a correction changes the review state and may resolve findings: show the server's
      if (window.ReviewFlow) window.ReviewFlow.refresh();
    } catch (err) {
      msg.textContent = err.message;
    }
  }

  /* the page viewer (page_viewer.js) redraws the value's boxes as where the old text stood */
  function corrected(cell) {
    const raw = (cell.getAttribute("title") || "").split(" · ")[0];
    document.dispatchEvent(new CustomEvent("jixiao:corrected", { detail: { path: cell.dataset.path, raw } }));
  }

  async function refreshHistory() {
    const box = document.getElementById("history");
    if (!box) return;
    try {
      const r = await fetch("/ui/documents/" + encodeURIComponent(docId) + "/history", { credentials: "same-origin" });
      if (r.ok) {
        box.innerHTML = await r.text();
        const count = document.getElementById("history-count");
        if (count) count.textContent = box.querySelectorAll("tr[data-correction]").length;
      }
    } catch (e) { /* the next page load shows it */ }
  }

  /* --- rows: add, delete; findings: use a value ------------------------------------------- */
  async function deleteRow(path) {
    if (!guard()) return;
    const dialog = document.getElementById("confirm-delete");
    const row = root.querySelector('tr[data-row="' + esc(path) + '"]');
    if (row) row.classList.add("deleting");
    document.getElementById("delete-reason").value = "";
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", async function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue !== "ok") { if (row) row.classList.remove("deleting"); return; }
      const reason = document.getElementById("delete-reason").value.trim();
      try {
        await UI.api("PATCH", recordUrl(path), reason ? { op: "delete", reason } : { op: "delete" });
        reload("flash.saved");
      } catch (err) {
        if (row) row.classList.remove("deleting");
        UI.toast(err.message, true);
      }
    });
  }

  function addRow(listPath) {
    const table = root.querySelector('table[data-list="' + esc(listPath) + '"]');
    if (!table || table.querySelector("tr.newrow")) return;
    const columns = JSON.parse(table.dataset.columns || "[]");
    const tr = el("tr", { class: "newrow" });
    tr.appendChild(el("td", { class: "idx" }, "+"));
    const inputs = [];
    for (const col of columns) {
      const td = el("td");
      const input = col.long ? el("textarea", { rows: "2" }) : el("input", { type: "text" });
      input.dataset.name = col.name;
      input.setAttribute("placeholder", col.label + (col.required ? " *" : ""));
      input.setAttribute("aria-label", col.label);
      input.addEventListener("input", updateDirty);
      td.appendChild(input); tr.appendChild(td); inputs.push([col, input]);
    }
    const act = el("td", { class: "act" });
    tr.appendChild(act);
    const tail = el("tr", { class: "newrow-tail" });
    const tailCell = el("td", { colspan: String(columns.length + 2) });
    const reason = el("input", { type: "text", class: "reason", placeholder: t("review.reason_hint") });
    const msg = el("span", { class: "err" });
    const save = el("button", { type: "button", class: "btn tiny primary" }, t("review.save"));
    const cancel = el("button", { type: "button", class: "btn tiny ghost" }, t("review.cancel"));
    tailCell.append(reason, " ", save, " ", cancel, " ", msg);
    tail.appendChild(tailCell);
    const body = table.querySelector("tbody");
    const empty = body.querySelector("tr.norows");
    if (empty) empty.hidden = true;
    body.append(tr, tail);
    openDetails(table);
    function close() { tr.remove(); tail.remove(); if (empty) empty.hidden = false; updateDirty(); }
    async function submitRow() {
      const value = {};
      for (const [col, input] of inputs) {
        const text = input.value.trim();
        if (!text) {
          if (col.required) { msg.textContent = col.label + " *"; input.focus(); return; }
          continue;
        }
        if (col.plain) { value[col.name] = text; continue; }
        if (col.numeric) {
          const n = parseNumber(text);
          if (n === null) { msg.textContent = col.label + ": " + t("review.not_number"); input.focus(); return; }
          value[col.name] = { value: n, raw: text };
        } else {
          value[col.name] = { value: text, raw: text };
        }
      }
      if (!guard(tr)) return;
      const payload = { op: "add", value };
      if (reason.value.trim()) payload.reason = reason.value.trim();
      msg.textContent = t("review.saving");
      try {
        await UI.api("PATCH", recordUrl(listPath), payload);
        close();
        reload("flash.saved");
      } catch (err) { msg.textContent = err.message; }
    }
    save.addEventListener("click", submitRow);
    cancel.addEventListener("click", close);
    [tr, tail].forEach((node) => node.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); close(); }
      else if (e.key === "Enter" && !(e.shiftKey && e.target.tagName === "TEXTAREA") && e.target.tagName !== "BUTTON") {
        e.preventDefault(); submitRow();
      }
    }));
    inputs.length && inputs[0][1].focus();
  }

  /* --- promote; what the review workflow (review_flow.js) uses ------------------------------ */
  root.addEventListener("submit", (e) => {
    if (e.target.id === "promote-form" && !guard()) e.preventDefault();
  });
  window.ReviewPage = {
    refreshHistory,
    showValue(path, node) {
      const cell = root.querySelector('td.v[data-path="' + esc(path) + '"]');
      if (!cell) return;
      renderCell(cell, node);
      cell.classList.add("corrected");
      corrected(cell);
    },
  };
})();
