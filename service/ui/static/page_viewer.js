/* The review page's page pane as a viewer for long days: zoom (buttons, keys + and -),
   fit width / fit page, thumbnails (lazy, the current page marked), page jump, and
   find-in-page over the read text: the server finds (GET /ui/documents/{id}/find) and
   answers each hit's page and boxes, drawn over the page images like the values' boxes;
   a document without page images has its hits marked in its text here.
   The zoom and the thumbnails' state are kept per browser (localStorage). */
"use strict";
(function () {
  const tools = document.getElementById("ptools");
  const pane = document.getElementById("pages");
  if (!tools || !pane) return;
  const t = UI.t;
  const docId = tools.dataset.doc;
  const images = tools.dataset.images === "1";
  const dpi = Number(tools.dataset.dpi) || 144;
  const $ = (id) => document.getElementById(id);
  const pages = () => Array.from(pane.querySelectorAll("figure.page, article.textpage"));
  const store = {
    get(k) { try { return localStorage.getItem("jixiao-viewer-" + k); } catch (e) { return null; } },
    set(k, v) { try { localStorage.setItem("jixiao-viewer-" + k, v); } catch (e) { /* fine */ } },
  };

  /* --- which page is in view ------------------------------------------------------------- */
  function currentPage() {
    const top = pane.getBoundingClientRect().top + tools.offsetHeight + 8;
    let best = pages()[0];
    for (const p of pages()) {
      if (p.getBoundingClientRect().top <= top + pane.clientHeight * 0.3) best = p; else break;
    }
    return best;
  }
  function goTo(number, smooth) {
    const page = $("page-" + number);
    if (!page) return false;
    const top = pane.scrollTop + page.getBoundingClientRect().top - pane.getBoundingClientRect().top - tools.offsetHeight - 6;
    pane.scrollTo({ top: Math.max(0, top), behavior: smooth ? "smooth" : "auto" });
    return true;
  }
  const pageInput = $("pt-page");
  let shown = 0;
  function onScroll() {
    const page = currentPage();
    const n = page ? Number(page.dataset.page) : 0;
    if (n === shown) return;
    shown = n;
    if (document.activeElement !== pageInput) pageInput.value = n;
    document.querySelectorAll(".thumb.current").forEach((b) => { b.classList.remove("current"); b.removeAttribute("aria-current"); });
    const thumb = document.querySelector('.thumb[data-page="' + n + '"]');
    if (thumb) {
      thumb.classList.add("current"); thumb.setAttribute("aria-current", "page");
      const nav = thumb.parentElement, r = thumb.getBoundingClientRect(), w = nav.getBoundingClientRect();
      if (r.top < w.top || r.bottom > w.bottom) nav.scrollTop += r.top - w.top - nav.clientHeight / 3;
    }
  }
  let ticking = false;
  pane.addEventListener("scroll", () => {
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(() => { ticking = false; onScroll(); });
  }, { passive: true });
  pageInput.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    const n = parseInt(pageInput.value.normalize("NFKC"), 10);
    const last = Number(tools.dataset.pages);
    if (!n) { pageInput.value = shown; return; }
    goTo(Math.min(Math.max(n, 1), last), false);
    pageInput.value = Math.min(Math.max(n, 1), last);
  });
  pageInput.addEventListener("focus", () => pageInput.select());

  /* --- zoom and fit (page images) ----------------------------------------------------------- */
  let mode = store.get("mode") || "fitw"; // fitw | fitp | a width in CSS pixels
  function firstImage() { return pane.querySelector("figure.page img[width]"); }
  function pageAspect() { // width / height of the first page
    const img = firstImage();
    return img ? Number(img.getAttribute("width")) / Number(img.getAttribute("height")) : 0.707;
  }
  function fitWidth() { return Math.max(120, pane.clientWidth - 30); }
  function fitPage() { return Math.max(120, (pane.clientHeight - tools.offsetHeight - 28) * pageAspect()); }
  function widthFor(m) { return m === "fitw" ? fitWidth() : m === "fitp" ? fitPage() : Number(m); }
  function actual() { // CSS pixels of the first page at 100 % (its size in points, at 96 per inch)
    const img = firstImage();
    return img ? Number(img.getAttribute("width")) * 96 / dpi : 794;
  }
  let dpiShown = dpi;
  function sharpen(width) { // a zoomed page gets a finer image, once, when it is drawn bigger
    const want = Math.min(300, Math.ceil(width * (window.devicePixelRatio || 1) * 72 / (actual() * 0.75) / 50) * 50);
    if (want <= dpiShown) return;
    dpiShown = want;
    pane.querySelectorAll("figure.page img").forEach((img) => { img.src = img.src.replace(/dpi=\d+/, "dpi=" + want); });
  }
  function applyZoom(next, keepPlace) {
    const page = keepPlace ? currentPage() : null;
    const before = page ? (pane.getBoundingClientRect().top - page.getBoundingClientRect().top) / page.offsetHeight : 0;
    mode = next;
    const width = Math.round(Math.min(6000, Math.max(120, widthFor(mode))));
    pane.style.setProperty("--page-w", width + "px");
    pane.classList.add("zoomed");
    $("pt-zoom").textContent = Math.round(width / actual() * 100) + "%";
    $("pt-fitw").setAttribute("aria-pressed", String(mode === "fitw"));
    $("pt-fitp").setAttribute("aria-pressed", String(mode === "fitp"));
    store.set("mode", String(mode));
    if (page) pane.scrollTop += page.getBoundingClientRect().top - pane.getBoundingClientRect().top + before * page.offsetHeight;
    sharpen(width);
  }
  function zoom(factor) {
    const width = widthFor(mode) * factor;
    applyZoom(String(Math.round(Math.min(6000, Math.max(120, width)))), true);
  }
  if (images) {
    $("pt-in").addEventListener("click", () => zoom(1.25));
    $("pt-out").addEventListener("click", () => zoom(0.8));
    $("pt-fitw").addEventListener("click", () => applyZoom("fitw", true));
    $("pt-fitp").addEventListener("click", () => applyZoom("fitp", true));
    applyZoom(mode, false);
    let resizing = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizing);
      resizing = setTimeout(() => { if (mode === "fitw" || mode === "fitp") applyZoom(mode, true); }, 120);
    });
    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target;
      if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
      if (document.querySelector("dialog[open]")) return;
      if (e.key === "+" || e.key === "=") { e.preventDefault(); zoom(1.25); }
      else if (e.key === "-" || e.key === "_") { e.preventDefault(); zoom(0.8); }
    });
  }

  /* --- thumbnails (page images) ---------------------------------------------------------------- */
  function buildThumbs() {
    const nav = document.createElement("nav");
    nav.className = "thumbs";
    nav.id = "thumbs";
    nav.setAttribute("aria-label", t("review.viewer.thumbs"));
    for (const fig of pane.querySelectorAll("figure.page")) {
      const n = fig.dataset.page;
      const b = document.createElement("button");
      b.type = "button"; b.className = "thumb"; b.dataset.page = n;
      b.title = t("review.page", { n });
      const img = document.createElement("img");
      img.loading = "lazy"; img.decoding = "async"; img.alt = "";
      img.src = "/documents/" + encodeURIComponent(docId) + "/pages/" + n + ".png?dpi=36";
      const fimg = fig.querySelector("img[width]");
      if (fimg) { img.width = 72; img.height = Math.round(72 * fimg.getAttribute("height") / fimg.getAttribute("width")); }
      const label = document.createElement("span"); label.className = "tno"; label.textContent = n;
      b.append(img, label);
      nav.appendChild(b);
    }
    nav.addEventListener("click", (e) => {
      const b = e.target.closest(".thumb");
      if (b) goTo(b.dataset.page, false);
    });
    pane.parentElement.insertBefore(nav, pane);
    return nav;
  }
  if (images) {
    const button = $("pt-thumbs");
    let nav = null;
    const setThumbs = (on) => {
      if (on && !nav) nav = buildThumbs();
      if (nav) nav.hidden = !on;
      pane.parentElement.classList.toggle("with-thumbs", on);
      button.setAttribute("aria-pressed", String(on));
      store.set("thumbs", on ? "1" : "0");
      shown = 0; onScroll();
      if (mode === "fitw" || mode === "fitp") applyZoom(mode, true);
    };
    const saved = store.get("thumbs");
    setThumbs(saved === null ? window.innerWidth >= 1280 : saved === "1");
    button.addEventListener("click", () => setThumbs(button.getAttribute("aria-pressed") !== "true"));
  }

  /* --- find-in-page ------------------------------------------------------------------------------ */
  const q = $("pt-q"), count = $("pt-count");
  let hits = [], at = -1, asked = "";
  function clearHits() {
    pane.querySelectorAll(".hit").forEach((h) => {
      if (h.tagName === "MARK") h.replaceWith(...h.childNodes); else h.remove();
    });
    pane.querySelectorAll("article.textpage").forEach((a) => a.normalize());
    document.querySelectorAll(".thumb .thits").forEach((s) => s.remove());
    hits = []; at = -1;
  }
  function drawBoxes(list) {
    list.forEach((hit, i) => {
      hit.els = [];
      for (const b of hit.boxes) {
        const fig = $("page-" + b.page);
        if (!fig) continue;
        const d = document.createElement("div");
        d.className = "hit"; d.dataset.hit = i;
        d.style.cssText = "left:" + b.left + "%;top:" + b.top + "%;width:" + b.width + "%;height:" + b.height + "%";
        fig.appendChild(d); hit.els.push(d);
      }
    });
  }
  function markText(needle) { // a document without page images: mark the hits in its text
    const out = [];
    const fold = (s) => s.normalize("NFKC").toLowerCase();
    for (const page of pane.querySelectorAll("article.textpage")) {
      const walker = document.createTreeWalker(page, NodeFilter.SHOW_TEXT, {
        acceptNode: (n) => (n.parentElement.closest(".tp-no") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
      });
      const nodes = []; let text = "";
      for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, text.length]); text += n.nodeValue; }
      const hay = fold(text);
      if (hay.length !== text.length) continue;
      const found = [];
      for (let i = hay.indexOf(needle); i >= 0 && out.length + found.length < 500; i = hay.indexOf(needle, i + needle.length)) found.push(i);
      for (const start of found.reverse()) { // from the end: earlier offsets stay valid
        const els = [];
        for (const [node, off] of nodes.slice().reverse()) {
          const a = Math.max(start, off), z = Math.min(start + needle.length, off + node.nodeValue.length);
          if (a >= z) continue;
          const range = document.createRange();
          range.setStart(node, a - off); range.setEnd(node, z - off);
          const m = document.createElement("mark"); m.className = "hit";
          range.surroundContents(m); els.unshift(m);
        }
        out.push({ page: Number(page.dataset.page), els });
      }
    }
    out.sort((x, y) => (x.page - y.page) || (x.els[0].compareDocumentPosition(y.els[0]) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    return out;
  }
  function showCount(total) {
    if (!hits.length) { count.textContent = asked ? t("review.viewer.none") : ""; count.classList.toggle("none", !!asked); return; }
    count.classList.remove("none");
    count.textContent = t("review.viewer.count", { i: at + 1, n: total }) + (total > hits.length ? " " + t("review.viewer.more", { n: hits.length }) : "");
  }
  function focusHit(i, total) {
    if (!hits.length) return;
    at = (i + hits.length) % hits.length;
    pane.querySelectorAll(".hit.current").forEach((h) => h.classList.remove("current"));
    const hit = hits[at];
    hit.els.forEach((el) => el.classList.add("current"));
    if (hit.els.length) {
      const el = hit.els[0], p = pane.getBoundingClientRect(), r = el.getBoundingClientRect();
      pane.scrollTo({ top: Math.max(0, pane.scrollTop + r.top - p.top - pane.clientHeight * 0.35) });
      const left = pane.scrollLeft + r.left - p.left;
      if (left < pane.scrollLeft || left + r.width > pane.scrollLeft + pane.clientWidth) pane.scrollLeft = Math.max(0, left - pane.clientWidth * 0.3);
    } else goTo(hit.page, false);
    showCount(total);
  }
  let total = 0;
  async function search() {
    const needle = q.value.normalize("NFKC").trim().replace(/\s+/g, " ");
    if (needle === asked) return false;
    clearHits(); asked = needle; total = 0;
    if (!needle) { showCount(0); return true; }
    if (images) {
      const r = await fetch("/ui/documents/" + encodeURIComponent(docId) + "/find?q=" + encodeURIComponent(needle), { credentials: "same-origin" });
      if (!r.ok || needle !== asked) return true;
      const body = await r.json();
      hits = body.hits; total = body.total;
      drawBoxes(hits);
      const per = {};
      hits.forEach((h) => { per[h.page] = (per[h.page] || 0) + 1; });
      for (const [n, k] of Object.entries(per)) {
        const thumb = document.querySelector('.thumb[data-page="' + n + '"]');
        if (thumb) { const s = document.createElement("span"); s.className = "thits"; s.textContent = k; thumb.appendChild(s); }
      }
    } else {
      hits = markText(needle.toLowerCase()); total = hits.length;
    }
    focusHit(0, total);
    if (!hits.length) showCount(0);
    return true;
  }
  $("pt-find").addEventListener("submit", (e) => e.preventDefault());
  q.addEventListener("keydown", async (e) => {
    if (e.key === "Escape") { q.value = ""; await search(); return; }
    if (e.key !== "Enter") return;
    e.preventDefault();
    if (!(await search())) focusHit(at + (e.shiftKey ? -1 : 1), total);
  });
  q.addEventListener("search", () => { if (!q.value) search(); });
  $("pt-next").addEventListener("click", async () => { if (!(await search())) focusHit(at + 1, total); });
  $("pt-prev").addEventListener("click", async () => { if (!(await search())) focusHit(at - 1, total); });

  /* --- a value corrected on this page: its boxes now show where the old reading stood ------------- */
  document.addEventListener("jixiao:corrected", (e) => {
    const path = e.detail && e.detail.path;
    if (!path) return;
    pane.querySelectorAll(".box").forEach((b) => {
      if (b.dataset.ref !== path || b.classList.contains("was")) return;
      b.classList.add("was");
      b.dataset.label = t("review.was_box", { raw: e.detail.raw || "" });
    });
  });

  onScroll();
})();
