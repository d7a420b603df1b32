/* Documents page: uploads one file per request with a progress bar (XHR, for upload
   progress events), so one bad file is reported while the others go on; the selection's
   export, reprocess and delete (asked first); and a quiet refresh while documents are being
   processed. */
"use strict";
(function () {
  const form = document.getElementById("upload");
  const input = document.getElementById("files");
  const send = document.getElementById("send");
  const chosen = document.getElementById("chosen");
  const drop = document.getElementById("drop");
  const result = document.getElementById("upload-result");
  const bundle = document.getElementById("bundle");
  const limits = document.getElementById("limits");
  const maxFiles = limits ? Number(limits.dataset.maxFiles) : 20;
  const maxBytes = limits ? Number(limits.dataset.maxMb) * 1024 * 1024 : Infinity;
  const accepted = input ? input.accept.split(",").filter((a) => a.startsWith(".")) : [];
  let uploading = false;
  let files = [];

  /* what is wrong with a file before it is sent (empty, too big, a type we do not read) */
  function precheck(f) {
    if (f.size === 0) return UI.t("docs.file_empty");
    if (f.size > maxBytes) return UI.t("docs.file_too_big", { mb: limits.dataset.maxMb });
    const dot = f.name.lastIndexOf(".");
    const ext = dot >= 0 ? f.name.slice(dot).toLowerCase() : "";
    if (ext && accepted.length && !accepted.includes(ext)) return UI.t("docs.file_type"); /* no extension: the server reads the content */
    return "";
  }
  function line(text, good) {
    const el = document.createElement("div");
    el.className = good ? "ok" : "bad";
    el.textContent = text;
    result.appendChild(el);
  }

  function choose(list) {
    files = Array.from(list || []);
    chosen.textContent = files.map((f) => f.name + " (" + Math.ceil(f.size / 1024) + " KB)").join("、");
    send.disabled = files.length === 0;
    bundle.disabled = files.length < 2; /* one report in several files needs several */
    result.textContent = "";
    if (files.length > maxFiles) line(UI.t("docs.too_many", { files: maxFiles }), false);
  }
  if (form) {
    input.addEventListener("change", () => choose(input.files));
    ["dragenter", "dragover"].forEach((ev) => drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); }));
    ["dragleave", "drop"].forEach((ev) => drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
    drop.addEventListener("drop", (e) => choose(e.dataTransfer.files));
    form.addEventListener("submit", (e) => { e.preventDefault(); if (files.length) uploadAll(); });
  }

  /* one request per file; a bundle (one report in several files) goes as one request */
  async function uploadAll() {
    result.textContent = "";
    if (files.length > maxFiles) { line(UI.t("docs.too_many", { files: maxFiles }), false); return; }
    const asBundle = bundle.checked && files.length > 1;
    const good = [];
    let bad = 0;
    files.forEach((f) => {
      const why = precheck(f);
      if (why) { bad++; line(UI.t("docs.file_bad", { name: f.name, why }), false); } else good.push(f);
    });
    if (asBundle && bad) return; /* a report missing a part is not sent at all */
    const batches = asBundle ? [good] : good.map((f) => [f]);
    const total = good.reduce((n, f) => n + f.size, 0) || 1;
    const progress = document.getElementById("progress");
    const bar = document.getElementById("bar");
    const pct = document.getElementById("pct");
    progress.hidden = batches.length === 0; bar.style.width = "0"; pct.textContent = UI.t("docs.uploading");
    send.disabled = true; uploading = true;
    let sent = 0, ok = 0;
    for (const batch of batches) {
      const answer = await upload(batch, asBundle, (loaded) => {
        const p = Math.round((100 * (sent + loaded)) / total);
        bar.style.width = p + "%"; pct.textContent = p + "%";
      });
      sent += batch.reduce((m, f) => m + f.size, 0);
      if (answer.ok) {
        ok += batch.length;
        answer.body.documents.forEach((d) => line(UI.t("docs.file_ok", {
          name: d.filename || d.id, what: d.duplicate ? UI.t("docs.duplicate") : UI.t("docs.uploaded") }), true));
      } else {
        bad += batch.length;
        batch.forEach((f) => line(UI.t("docs.file_bad", { name: f.name, why: answer.why }), false));
      }
    }
    uploading = false;
    bar.style.width = "100%"; pct.textContent = "100%";
    if (!bad) { setTimeout(() => location.reload(), 700); return; }
    line(UI.t("docs.upload_summary", { ok, bad }), ok > 0);
    send.disabled = false;
    if (ok) markPending();
  }

  function upload(batch, asBundle, onProgress) {
    return new Promise((resolve) => {
      const data = new FormData();
      batch.forEach((f) => data.append("files", f, f.name));
      const params = new URLSearchParams();
      const extractor = document.getElementById("extractor").value;
      if (extractor) params.set("extractor", extractor);
      if (document.getElementById("rerun").checked) params.set("rerun", "true");
      if (asBundle) params.set("bundle", "true");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/documents" + (params.toString() ? "?" + params : ""));
      xhr.setRequestHeader("X-CSRF-Token", UI.csrf());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded); };
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (xhr.status === 202 && body) resolve({ ok: true, body });
        else resolve({ ok: false, why: plainError(body, xhr.status) });
      };
      xhr.onerror = () => resolve({ ok: false, why: UI.t("docs.upload_failed") });
      xhr.send(data);
    });
  }
  /* the API's own words in the reviewer's language, without its technical detail */
  function plainError(body, status) {
    const err = body && body.error;
    if (!err) return UI.t("docs.upload_failed") + " (" + status + ")";
    return (UI.lang === "zh" ? err.message_zh : err.message) || UI.t("docs.upload_failed");
  }
  /* some files went in, some did not: keep the messages up, offer a reload in the list */
  function markPending() {
    const reload = document.createElement("a");
    reload.href = location.href; reload.className = "btn small"; reload.textContent = UI.t("docs.refresh");
    result.appendChild(reload);
  }

  /* --- selection: export, reprocess, delete ------------------------------------------------ */
  const bulkForm = document.getElementById("bulk");
  const count = document.getElementById("bulk-count");
  const selectAll = document.getElementById("select-all");
  const boxes = () => Array.from(document.querySelectorAll('#docs input[name="ids"]'));
  const picked = () => boxes().filter((b) => b.checked).map((b) => b.value);
  function updateBulk() {
    const n = picked().length;
    if (count) count.textContent = UI.t("docs.selected", { n });
    ["bulk-export", "bulk-reprocess", "bulk-delete"].forEach((id) => {
      const b = document.getElementById(id);
      if (b) b.disabled = n === 0;
    });
    if (selectAll) { selectAll.checked = n > 0 && n === boxes().length; selectAll.indeterminate = n > 0 && n < boxes().length; }
  }
  if (selectAll) selectAll.addEventListener("change", () => { boxes().forEach((b) => { b.checked = selectAll.checked; }); updateBulk(); });
  document.addEventListener("change", (e) => { if (e.target.matches('#docs input[name="ids"]')) updateBulk(); });
  const exportBtn = document.getElementById("bulk-export");
  if (exportBtn) exportBtn.addEventListener("click", () => {
    const q = new URLSearchParams();
    picked().forEach((id) => q.append("ids", id));
    if (q.toString()) location.href = "/exports/documents.xlsx?" + q;
  });
  /* every action that changes documents asks first (how many, or which one) */
  document.addEventListener("submit", (e) => {
    const f = e.target;
    if (f !== bulkForm && !f.hasAttribute("data-confirm")) return;
    const button = e.submitter;
    if (f === bulkForm && !picked().length) { e.preventDefault(); UI.toast(count.dataset.none, true); return; }
    let question = button && button.dataset.confirm;
    if (button && button.dataset.confirmN) question = button.dataset.confirmN.replace("{n}", picked().length);
    if (question && !window.confirm(question)) e.preventDefault();
  });
  updateBulk();

  /* a scan read in page tasks: "OCR 12/60 页" beside its status */
  function showPages(row, job) {
    const badge = row.querySelector(".badge[data-status]");
    if (!badge) return;
    let note = row.querySelector(".ocr-progress");
    if (!note) { note = document.createElement("span"); note.className = "ocr-progress muted"; badge.after(note); }
    note.textContent = " " + UI.t("docs.ocr_progress", { done: job.pages_done || 0, total: job.pages_total });
  }

  /* documents still queued or processing: ask for their status, reload when one changes */
  const pending = Array.from(document.querySelectorAll("#docs tr[data-status=queued], #docs tr[data-status=processing]"));
  if (pending.length) {
    const timer = setInterval(async () => {
      if (uploading || picked().length) return; /* never throw a selection away */
      for (const row of pending) {
        try {
          const doc = await UI.api("GET", "/documents/" + row.dataset.id);
          if (doc.status !== row.dataset.status) { clearInterval(timer); location.reload(); return; }
          if (doc.job && doc.job.pages_total) showPages(row, doc.job);
        } catch (e) { /* a transient error: try again next tick */ }
      }
    }, 1500);
  }
})();
