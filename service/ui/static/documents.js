/* Documents page: upload with a progress bar (XHR, for upload progress events), and a quiet
   refresh while documents are being processed. */
"use strict";
(function () {
  const form = document.getElementById("upload");
  const input = document.getElementById("files");
  const send = document.getElementById("send");
  const chosen = document.getElementById("chosen");
  const drop = document.getElementById("drop");
  const result = document.getElementById("upload-result");
  const bundle = document.getElementById("bundle");
  let uploading = false;
  let files = [];

  function choose(list) {
    files = Array.from(list || []);
    chosen.textContent = files.map((f) => f.name + " (" + Math.ceil(f.size / 1024) + " KB)").join("、");
    send.disabled = files.length === 0;
    bundle.disabled = files.length < 2; /* one report in several files needs several */
  }
  if (form) {
    input.addEventListener("change", () => choose(input.files));
    ["dragenter", "dragover"].forEach((ev) => drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); }));
    ["dragleave", "drop"].forEach((ev) => drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
    drop.addEventListener("drop", (e) => choose(e.dataTransfer.files));
    form.addEventListener("submit", (e) => { e.preventDefault(); if (files.length) upload(); });
  }

  function upload() {
    const data = new FormData();
    files.forEach((f) => data.append("files", f, f.name));
    const params = new URLSearchParams();
    const extractor = document.getElementById("extractor").value;
    if (extractor) params.set("extractor", extractor);
    if (document.getElementById("rerun").checked) params.set("rerun", "true");
    if (bundle.checked && files.length > 1) params.set("bundle", "true");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/documents" + (params.toString() ? "?" + params : ""));
    xhr.setRequestHeader("X-CSRF-Token", UI.csrf());
    xhr.setRequestHeader("Accept", "application/json");
    const progress = document.getElementById("progress");
    const bar = document.getElementById("bar");
    const pct = document.getElementById("pct");
    progress.hidden = false; bar.style.width = "0"; pct.textContent = UI.t("docs.uploading");
    send.disabled = true; uploading = true; result.textContent = "";
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      const p = Math.round((100 * e.loaded) / e.total);
      bar.style.width = p + "%"; pct.textContent = p + "%";
    };
    xhr.onload = () => {
      uploading = false;
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
      if (xhr.status === 202 && body) {
        bar.style.width = "100%"; pct.textContent = "100%";
        result.innerHTML = "";
        body.documents.forEach((d) => {
          const line = document.createElement("div");
          line.className = "ok";
          line.textContent = "✓ " + (d.filename || d.id) + " — " + (d.duplicate ? UI.t("docs.duplicate") : UI.t("docs.uploaded"));
          result.appendChild(line);
        });
        setTimeout(() => location.reload(), 700);
      } else {
        progress.hidden = true; send.disabled = false;
        result.innerHTML = "";
        const line = document.createElement("div");
        line.className = "bad";
        line.textContent = UI.t("docs.upload_failed") + ": " + UI.errorText(body, xhr.status);
        result.appendChild(line);
      }
    };
    xhr.onerror = () => {
      uploading = false; progress.hidden = true; send.disabled = false;
      result.textContent = UI.t("docs.upload_failed");
    };
    xhr.send(data);
  }

  /* documents still queued or processing: ask for their status, reload when one changes */
  const pending = Array.from(document.querySelectorAll("#docs tr[data-status=queued], #docs tr[data-status=processing]"));
  if (pending.length) {
    const timer = setInterval(async () => {
      if (uploading) return;
      for (const row of pending) {
        try {
          const doc = await UI.api("GET", "/documents/" + row.dataset.id);
          if (doc.status !== row.dataset.status) { clearInterval(timer); location.reload(); return; }
        } catch (e) { /* a transient error: try again next tick */ }
      }
    }, 1500);
  }
})();
