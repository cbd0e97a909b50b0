/* site_builder: draws every chart of the page with the site's own copy of ECharts.
 *
 * Each chart is a <div class="chart-canvas" data-options="ID"> whose options are the JSON in
 * <script type="application/json" id="ID">, built at build time. This script only adds what JSON
 * cannot hold (number formatting functions), picks ECharts' locale from <html lang>, keeps
 * charts sized to their containers and to the printed page, and marks each container with
 * data-rendered="true" (and a "chart:rendered" event) once ECharts reports it finished.
 * Loaded with `defer` only on pages that have charts; it loads ECharts itself (data-echarts on
 * its <script>) when the first chart comes near the screen (see withEcharts below), and at once
 * when the page is printed, so that every chart prints, not only those the reader scrolled to.
 */
(function () {
  "use strict";
  var echarts = window.echarts;
  var lang = (document.documentElement.getAttribute("lang") || "").toLowerCase();
  var zh = lang.indexOf("zh") === 0;
  // The page's HTML is converted to its script at build time; this file is not.
  var hant = lang === "zh-hant";
  var WAN = hant ? "萬" : "万";
  var YI = hant ? "億" : "亿";
  var charts = [];
  var printing = false; // charts drawn for print are drawn without animation (see printAll)

  function trim(n) {
    return String(Math.round(n * 100) / 100);
  }

  // Axis ticks: Chinese counts in 万/萬 and 亿/億 as the site's labels do; English with separators.
  function axisNumber(v) {
    if (typeof v !== "number") return v;
    var a = Math.abs(v);
    if (zh) {
      if (a >= 1e8) return trim(v / 1e8) + YI;
      if (a >= 1e4) return trim(v / 1e4) + WAN;
      return trim(v);
    }
    return v.toLocaleString("en-US", { maximumFractionDigits: 2 });
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // The label text built at build time (with 余/约, 万, units as the language writes them).
  function valueText(p) {
    var d = p.data;
    if (d && d.label && typeof d.label.formatter === "string") return d.label.formatter;
    var v = d && typeof d === "object" && "value" in d ? d.value : p.value;
    return v == null ? "–" : axisNumber(v);
  }

  function axisTooltip(params) {
    if (!params.length) return "";
    var rows = [escapeHtml(params[0].axisValueLabel != null ? params[0].axisValueLabel : params[0].name)];
    params.forEach(function (p) {
      rows.push(p.marker + escapeHtml(p.seriesName) + ": <b>" + escapeHtml(valueText(p)) + "</b>");
    });
    return rows.join("<br>");
  }

  // Category labels are wrapped here rather than by ECharts' `overflow: "break"`, which breaks
  // between any two characters and can leave a closing mark alone on a line ("）"). A line holds
  // about `width` pixels (a Chinese character counts 12, a Latin one 7); it breaks at spaces in
  // Latin text and never before closing punctuation nor after opening punctuation.
  var NO_START = "）)]】」』》〉、，。．,.;；:：!！?？%…·";
  var NO_END = "（([【「『《〈";
  function charWidth(c) {
    return c.charCodeAt(0) > 0x2e7f ? 12 : 7;
  }
  function wrapAt(text, width) {
    var units = [];
    var re = /[A-Za-z0-9'’\-.,+%]+ ?|./g;
    var m;
    while ((m = re.exec(text))) units.push(m[0]);
    var lines = [];
    var line = "";
    var used = 0;
    for (var i = 0; i < units.length; i++) {
      var u = units[i];
      var w = 0;
      for (var j = 0; j < u.length; j++) w += charWidth(u[j]);
      if (line && used + w > width) {
        var next = u.charAt(0);
        var last = line.charAt(line.length - 1);
        if (NO_START.indexOf(next) < 0 && NO_END.indexOf(last) < 0) {
          lines.push(line.replace(/ $/, ""));
          line = "";
          used = 0;
        } else if (NO_END.indexOf(last) >= 0 && line.length > 1) {
          lines.push(line.slice(0, -1));
          line = last;
          used = charWidth(last);
        }
      }
      line += u;
      used += w;
    }
    if (line) lines.push(line.replace(/ $/, ""));
    return lines.join("\n");
  }
  // As few lines as the width allows, as even as possible (no single character left over).
  function wrapLabel(text, width) {
    text = String(text);
    var first = wrapAt(text, width);
    var n = first.split("\n").length;
    if (n < 2) return first;
    var total = 0;
    for (var i = 0; i < text.length; i++) total += charWidth(text[i]);
    var even = wrapAt(text, Math.ceil(total / n) + 6);
    return even.split("\n").length === n ? even : first;
  }

  function prepare(option) {
    var xAxes = option.xAxis ? [].concat(option.xAxis) : [];
    xAxes.forEach(function (axis) {
      var label = axis.axisLabel;
      if (axis.type === "category" && label && label.overflow === "break" && !label.formatter) {
        var width = label.width || 96;
        delete label.overflow;
        delete label.width;
        label.formatter = function (value) {
          return wrapLabel(value, width);
        };
      }
    });
    var yAxes = option.yAxis ? [].concat(option.yAxis) : [];
    yAxes.forEach(function (axis) {
      if (axis.type === "value") {
        axis.axisLabel = axis.axisLabel || {};
        if (!axis.axisLabel.formatter) axis.axisLabel.formatter = axisNumber;
      }
    });
    var tooltip = option.tooltip ? [].concat(option.tooltip)[0] : null;
    if (tooltip && tooltip.trigger === "axis" && !tooltip.formatter) tooltip.formatter = axisTooltip;
    if (printing || (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches)) {
      option.animation = false;
    }
    return option;
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-options"));
    if (!source) return;
    var option;
    try {
      option = JSON.parse(source.textContent);
    } catch (e) {
      el.setAttribute("data-rendered", "error");
      console.error("chart " + el.id + ": invalid options", e);
      return;
    }
    var chart = echarts.init(el, null, {
      locale: zh ? "ZH" : "EN",
      // Sharper when printed or zoomed than the screen's own ratio.
      devicePixelRatio: Math.max(2, window.devicePixelRatio || 1),
    });
    chart.on("finished", function () {
      if (el.getAttribute("data-rendered") !== "true") {
        el.setAttribute("data-rendered", "true");
        el.dispatchEvent(new CustomEvent("chart:rendered", { bubbles: true }));
      }
    });
    chart.setOption(prepare(option));
    charts.push(chart);
  }

  function resizeAll() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }

  var pending = false;
  function resizeSoon() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      resizeAll();
    });
  }

  // Printing: show every data table and fit each chart to the printed page's width.
  var opened = [];
  function beforePrint() {
    document.querySelectorAll("details.chart-data:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
    resizeAll();
  }
  function afterPrint() {
    opened.forEach(function (d) {
      d.open = false;
    });
    opened = [];
    resizeAll();
  }

  // ECharts (about 1 MB of script) is loaded only when a chart comes near the screen, when
  // the page is about to print, or when asked to ("charts:draw-all" on the document: the PDF
  // printer, tests and screenshots use it). Parsing it at load time blocked the main thread
  // for seconds on phones, where most charts are screens below the text.
  var canvases = [].slice.call(document.querySelectorAll(".chart-canvas[data-options]"));
  var script = document.currentScript;
  var src = script && script.getAttribute("data-echarts");
  var waiting = [];
  var requested = false;
  function withEcharts(callback) {
    if (echarts) return callback();
    waiting.push(callback);
    if (requested) return;
    requested = true;
    var tag = document.createElement("script");
    tag.src = src;
    tag.onload = function () {
      echarts = echarts || window.echarts;
      waiting.splice(0).forEach(function (f) {
        f();
      });
    };
    tag.onerror = function () {
      console.error("charts: assets/echarts.min.js did not load");
    };
    document.head.appendChild(tag);
  }
  var drawn = [];
  function drawOne(el) {
    if (drawn.indexOf(el) >= 0) return;
    drawn.push(el);
    withEcharts(function () {
      draw(el);
      if (resizer) resizer.observe(el);
    });
  }
  function drawAll() {
    canvases.forEach(drawOne);
  }
  var resizer = window.ResizeObserver ? new ResizeObserver(resizeSoon) : null;
  if (!src && !echarts) {
    console.error("charts: charts.js needs data-echarts (the URL of echarts.min.js)");
    return;
  }
  // A chart is drawn when it is on screen as the page opens, or once the reader scrolls,
  // taps or types and it is (nearly) on screen. Charts that only come into view because the
  // window grew (an audit tool's full-page capture) wait for the reader.
  if (window.IntersectionObserver) {
    var visible = [];
    var armed = false;
    var first = true;
    var near = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (e) {
          var i = visible.indexOf(e.target);
          if (e.isIntersecting && i < 0) visible.push(e.target);
          if (!e.isIntersecting && i >= 0) visible.splice(i, 1);
        });
        if (armed) visible.forEach(drawOne);
        // as the page opens, only a chart really on screen (not one in the margin below it):
        // loading ECharts is the page's heaviest task
        if (first && !armed)
          entries.forEach(function (e) {
            if (e.isIntersecting && e.boundingClientRect.top < window.innerHeight) drawOne(e.target);
          });
        first = false;
      },
      { rootMargin: "0px 0px 100px 0px" }
    );
    canvases.forEach(function (el) {
      near.observe(el);
    });
    var arm = function () {
      armed = true;
      visible.forEach(drawOne);
    };
    ["scroll", "wheel", "pointerdown", "touchstart", "keydown"].forEach(function (type) {
      window.addEventListener(type, arm, { passive: true, once: true });
    });
  } else {
    drawAll();
  }
  // Printing. The browser lays out the printed pages as soon as "beforeprint" returns, so
  // every chart must be drawn by then, still and at the paper's width: ECharts, if the reader
  // has not scrolled to a chart yet, is fetched synchronously and run in place (a second or so,
  // once, and only when printing; browsers refuse such a fetch from a file:// page, where the
  // keyboard's Ctrl+P is caught instead to load it first and then print).
  function loadNow() {
    if (echarts) return true;
    try {
      var request = new XMLHttpRequest();
      request.open("GET", new URL(src, document.baseURI).href, false);
      request.send();
      if (request.status !== 200) return false;
      var tag = document.createElement("script");
      tag.text = request.responseText;
      document.head.appendChild(tag);
    } catch (e) {
      return false;
    }
    echarts = window.echarts;
    if (!echarts) return false;
    waiting.splice(0).forEach(function (f) {
      f();
    });
    return true;
  }
  function printAll() {
    printing = true;
    loadNow();
    charts.forEach(function (chart) {
      chart.setOption({ animation: false }); // one still in its opening animation: its end
    });
    drawAll();
    beforePrint();
  }
  document.addEventListener("charts:draw-all", drawAll);
  if (window.matchMedia && window.matchMedia("print").matches) printAll();
  window.addEventListener("resize", resizeSoon);
  window.addEventListener("beforeprint", printAll);
  window.addEventListener("afterprint", function () {
    printing = false;
    afterPrint();
  });
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener)
      print.addEventListener("change", function (e) {
        if (e.matches) printAll();
        else resizeAll();
      });
  }
  window.addEventListener("keydown", function (e) {
    var key = e.key === "p" || e.key === "P";
    if (!key || !(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || echarts) return;
    if (location.protocol !== "file:") return; // beforeprint loads ECharts and draws them
    e.preventDefault();
    var done = false;
    var go = function () {
      if (done) return;
      done = true;
      window.print();
    };
    printing = true;
    withEcharts(function () {
      drawAll();
      window.requestAnimationFrame(go);
    });
    window.setTimeout(go, 5000); // ECharts did not load: print the tables, as before
  });
})();
