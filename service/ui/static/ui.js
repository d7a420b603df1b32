/* Shared helpers of the reviewer pages: strings, the CSRF header, API calls, toasts. */
"use strict";
window.UI = (function () {
  const strings = JSON.parse(document.getElementById("ui-strings").textContent || "{}");
  const lang = document.body.dataset.lang || "zh";
  function t(key, params) {
    let text = strings[key] || key;
    for (const [k, v] of Object.entries(params || {})) text = text.replace("{" + k + "}", v);
    return text;
  }
  function csrf() { return document.body.dataset.csrf || ""; }
  function errorText(body, status) {
    const err = body && body.error;
    if (!err) return t("review.error") + " (" + status + ")";
    const msg = lang === "zh" ? err.message_zh : err.message;
    const detail = typeof err.detail === "string" ? err.detail
      : Array.isArray(err.detail) && err.detail.length ? err.detail.map((d) => d.msg).join("; ") : "";
    return detail ? msg + " — " + detail : msg;
  }
  /* fetch the API with the session cookie and the CSRF header; throws Error(readable). */
  async function api(method, url, body) {
    const headers = { "X-CSRF-Token": csrf(), "Accept": "application/json" };
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    const r = await fetch(url, init);
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) {
      const e = new Error(errorText(data, r.status));
      e.status = r.status;
      e.code = data && data.error ? data.error.code : null;
      throw e;
    }
    return data;
  }
  let toastTimer = null;
  function toast(text, bad) {
    const el = document.getElementById("toast");
    if (!el) return;
    el.textContent = text; el.hidden = false; el.classList.toggle("bad", !!bad);
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { el.hidden = true; }, bad ? 6000 : 2200);
  }
  return { t, csrf, api, toast, errorText, lang };
})();
