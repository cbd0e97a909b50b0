// site-builder serve: reload on rebuild, swap changed stylesheets, show build errors.
// Injected into pages by the preview server only; built files never contain it.
(function () {
  "use strict";
  var script = document.currentScript || document.getElementById("site-builder-live");
  // The build this page was served from. A status with a higher generation means the output
  // changed since: reload (or swap stylesheets when only they changed since this very build).
  var generation = Number(script && script.getAttribute("data-generation")) || 0;
  var OVERLAY_ID = "site-builder-overlay";

  function el(tag, style, text) {
    var node = document.createElement(tag);
    // CSSOM, not style attributes: works under any Content-Security-Policy of the page
    for (var key in style) node.style[key] = style[key];
    if (text) node.textContent = text;
    return node;
  }

  function hideErrors() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.parentNode.removeChild(old);
  }

  function showErrors(errors) {
    hideErrors();
    var box = el("div", {
      position: "fixed", left: "0", right: "0", top: "0", maxHeight: "80vh", overflow: "auto",
      zIndex: "2147483647", background: "#fff4f4", color: "#1f1f1f", borderBottom: "4px solid #b3261e",
      boxShadow: "0 4px 24px rgba(0,0,0,.25)", padding: "16px 20px",
      font: "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", textAlign: "left"
    });
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", "Build failed");
    box.setAttribute("lang", "en");
    var title = el("strong", { display: "block", fontSize: "16px", color: "#b3261e", marginBottom: "8px" },
      "Build failed: this is the last good version of the page. Fix the problem and save; the page updates by itself.");
    box.appendChild(title);
    var list = el("ol", { margin: "0", paddingLeft: "20px" });
    errors.forEach(function (e) {
      var item = el("li", { marginBottom: "8px" });
      item.className = "site-builder-error";
      item.appendChild(el("span", { fontWeight: "bold" }, e.path + ":" + e.line + ":" + e.col + ": "));
      item.appendChild(el("span", {}, e.message));
      if (e.hint) item.appendChild(el("div", { color: "#555" }, "hint: " + e.hint));
      list.appendChild(item);
    });
    box.appendChild(list);
    var close = el("button", { position: "absolute", top: "8px", right: "12px", font: "inherit" }, "×");
    close.setAttribute("aria-label", "Hide until the next build");
    close.onclick = hideErrors;
    box.appendChild(close);
    (document.body || document.documentElement).appendChild(box);
  }

  function swapStylesheets(paths, version) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      var matches = paths.some(function (p) {
        return url.pathname === "/" + p || url.pathname.slice(-(p.length + 1)) === "/" + p;
      });
      if (!matches) return;
      url.searchParams.set("site-builder", String(version));
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      fresh.onload = fresh.onerror = function () {
        if (link.parentNode) link.parentNode.removeChild(link);
      };
      link.parentNode.insertBefore(fresh, link.nextSibling);
    });
  }

  function onStatus(raw) {
    var status = typeof raw === "string" ? JSON.parse(raw) : raw;
    if (status.errors && status.errors.length) showErrors(status.errors);
    else hideErrors();
    if (status.generation <= generation) return;
    if (status.change === "css" && status.from === generation) {
      swapStylesheets(status.css, status.generation);
      generation = status.generation;
      return;
    }
    // only the search index changed: the search page reloads, other pages need nothing
    if (status.change === "data" && status.from === generation &&
        !document.body.classList.contains("page-search")) {
      generation = status.generation;
      return;
    }
    generation = status.generation;  // reload once, even if more statuses arrive meanwhile
    location.reload();
  }

  window.__siteBuilderLive = { onStatus: onStatus, generation: function () { return generation; } };

  if (window.SharedWorker) {
    try {
      var version = new URL(script.src, location.href).searchParams.get("v") || "";
      var worker = new SharedWorker("/__site_builder__/worker.js?v=" + version, { name: "site-builder-live" });
      worker.port.onmessage = function (event) { onStatus(event.data); };
      worker.port.start();
      window.addEventListener("pagehide", function () { worker.port.postMessage("bye"); });
      return;
    } catch (e) {
      // fall through to a connection of this tab's own
    }
  }
  var source = new EventSource("/__site_builder__/events");
  source.addEventListener("status", function (event) { onStatus(event.data); });
})();
