// site-builder serve: the site's plugin for livereload.js (which reloads the page or swaps a
// changed stylesheet); shows build errors over the page. Injected into pages by the preview
// server only, before livereload.js; built files never contain it.
(function () {
  "use strict";
  var script = document.currentScript || document.getElementById("site-builder-live");
  // The build this page was served from ("<server>:<generation>"): the server sends a tab
  // whatever it missed since, when it connects.
  var generation = (script && script.getAttribute("data-generation")) || "";
  var OVERLAY_ID = "site-builder-overlay";
  var STATUS = "/__site_builder__/status";
  // The overlay's texts, in the language of the tool's messages (set by the preview server).
  function text(name, english) {
    return (script && script.getAttribute("data-" + name)) || english;
  }

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
    box.setAttribute("aria-label", text("label", "Build failed"));
    box.setAttribute("lang", text("lang", "en"));
    var title = el("strong", { display: "block", fontSize: "16px", color: "#b3261e", marginBottom: "8px" },
      text("title", "Build failed: this is the last good version of the page. Fix the problem and save; the page updates by itself."));
    box.appendChild(title);
    var list = el("ol", { margin: "0", paddingLeft: "20px" });
    errors.forEach(function (e) {
      var item = el("li", { marginBottom: "8px" });
      item.className = "site-builder-error";
      item.appendChild(el("span", { fontWeight: "bold" }, e.path + ":" + e.line + ":" + e.col + ": "));
      item.appendChild(el("span", {}, e.message));
      if (e.hint) item.appendChild(el("div", { color: "#555" }, text("hint", "hint: ") + e.hint));
      list.appendChild(item);
    });
    box.appendChild(list);
    var close = el("button", { position: "absolute", top: "8px", right: "12px", font: "inherit" }, "×");
    close.setAttribute("aria-label", text("close", "Hide until the next build"));
    close.onclick = hideErrors;
    box.appendChild(close);
    (document.body || document.documentElement).appendChild(box);
  }

  function showStatus() {
    fetch(STATUS, { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.errors && status.errors.length) showErrors(status.errors);
        else hideErrors();
      })
      .catch(function () { /* the server stopped: livereload.js reconnects */ });
  }

  // A livereload.js plugin (livereload.js adds every window.LiveReloadPlugin*): it tells the
  // server the build this page shows, at the handshake, and handles the site's own messages.
  function SiteBuilderPlugin(window, host) {
    this.window = window;
    this.host = host;
  }
  SiteBuilderPlugin.identifier = "site-builder";
  SiteBuilderPlugin.version = "1";
  SiteBuilderPlugin.prototype.analyze = function () {
    return { generation: generation };
  };
  // true: handled here; false: livereload.js goes on (swaps a stylesheet, or reloads)
  SiteBuilderPlugin.prototype.reload = function (path) {
    if (path === STATUS) {
      showStatus();
      return true;
    }
    // only the search index changed: the search page reloads, other pages need nothing
    if (/\/search\/[^\/]*\.js$/.test(path)) {
      return !(document.body && document.body.classList.contains("page-search"));
    }
    return false;
  };
  window.LiveReloadPluginSiteBuilder = SiteBuilderPlugin;
})();
