/* site_builder search: queries the site's static index in the browser, offline.
 *
 * The index (built by site_builder/search.py) holds Chinese character bigrams and Latin words
 * with their positions, folded to one script; a query is folded the same way, so Simplified
 * finds Traditional and the reverse. Every data file is a script that calls __sbSearch.*, loaded
 * with <script src> on demand: that works over HTTP and from file://, where fetch() is refused.
 *
 * The engine (SiteSearch.Engine) has no DOM dependency other than its loader, so the benchmarks
 * run the same code under Node. */
(function (root) {
  "use strict";

  var CJK_RUN = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$/;
  var WORD = /^[a-z0-9]+$/;
  var TOKEN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+/g;
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = new Int8Array(128);
  for (var a = 0; a < ALPHABET.length; a++) DIGIT[ALPHABET.charCodeAt(a)] = a;
  var WEIGHTS = [4, 2, 1]; // title, summary, body: as FIELD_WEIGHTS in search.py

  function hex2(n) {
    return (n < 16 ? "0" : "") + n.toString(16);
  }

  /* postings: ascending global positions as gaps (5-bit varints; 32 = more follows) */
  function decode(text) {
    var out = [];
    var v = 0;
    var shift = 0;
    var last = 0;
    for (var i = 0; i < text.length; i++) {
      var n = DIGIT[text.charCodeAt(i)];
      v += (n & 31) * Math.pow(2, shift);
      if (n & 32) {
        shift += 5;
      } else {
        last += v;
        out.push(last);
        v = 0;
        shift = 0;
      }
    }
    return out;
  }

  /* whether the ascending array holds value */
  function holds(array, value) {
    var lo = 0;
    var hi = array.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (array[mid] < value) lo = mid + 1;
      else if (array[mid] > value) hi = mid - 1;
      else return true;
    }
    return false;
  }

  /* the document a global position belongs to */
  function docOf(starts, position) {
    var lo = 0;
    var hi = starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  function Engine(config, loader) {
    this.config = config; // {fold, docs, text, indexes: {key: url}, shards: {key: url prefix}}
    this.loader = loader; // url -> Promise, runs the script at url
    this.foldMap = null;
    this.indexes = {}; // key -> {shards, ends, data: {n: {token: encoded}}, decoded: Map}
    this.docList = null;
    this.texts = {};
    this.loading = {};
  }

  Engine.prototype.load = function (url) {
    if (!this.loading[url]) this.loading[url] = this.loader(url);
    return this.loading[url];
  };

  /* -- what the data files call -- */
  Engine.prototype.fold = function (keys, values) {
    var map = new Map();
    for (var i = 0; i < keys.length; i++) map.set(keys.charCodeAt(i), values[i]);
    this.foldMap = map;
  };
  Engine.prototype.index = function (key, data) {
    this.indexes[key] = {
      shards: data.shards,
      starts: data.starts,
      ends: data.ends,
      data: {},
      decoded: new Map(),
    };
  };
  Engine.prototype.shard = function (key, n, tokens) {
    this.indexes[key].data[n] = tokens;
  };
  Engine.prototype.docs = function (data) {
    this.docList = data;
  };
  Engine.prototype.text = function (n, fields) {
    this.texts[n] = fields;
  };

  /* Lower case, full-width ASCII, and one character per Simplified/Traditional class; keeps the
   * length (search.py's fold does the same). */
  Engine.prototype.foldText = function (text) {
    var map = this.foldMap;
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 65 && c <= 90) {
        out += String.fromCharCode(c + 32);
      } else if (c < 128) {
        out += text[i];
      } else if (c >= 0xff01 && c <= 0xff5e) {
        c -= 0xfee0;
        out += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
      } else if (c === 0x3000) {
        out += " ";
      } else {
        var m = map.get(c);
        out += m === undefined ? text[i] : m;
      }
    }
    return out;
  };

  /* Loads what every search needs: the fold table, the result list, the index headers. */
  Engine.prototype.ready = function () {
    var self = this;
    var c = this.config;
    var urls = [c.fold, c.docs];
    for (var key in c.indexes) urls.push(c.indexes[key]);
    return Promise.all(
      urls.map(function (u) {
        return self.load(u);
      })
    );
  };

  /* The query's segments: Chinese runs and words, each with the index it is looked up in. */
  Engine.prototype.parse = function (query) {
    var folded = this.foldText(query);
    var parts = folded.match(TOKEN) || [];
    var wordKey = this.config.indexes.en ? "en" : "zh";
    var endsInSpace = /\s$/.test(folded);
    return parts.map(function (text, n) {
      var cjk = CJK_RUN.test(text);
      return {
        text: text,
        cjk: cjk,
        key: cjk ? "zh" : wordKey,
        prefix: !cjk && n === parts.length - 1 && !endsInSpace,
      };
    });
  };

  Engine.prototype.shardsOf = function (seg) {
    var index = this.indexes[seg.key];
    var firsts = seg.cjk && seg.text.length > 1 ? seg.text.slice(0, -1) : seg.text[0];
    var out = [];
    for (var i = 0; i < firsts.length; i++) {
      var n = firsts.charCodeAt(i) % index.shards;
      if (out.indexOf(n) < 0) out.push(n);
    }
    return out;
  };

  Engine.prototype.postings = function (key, token) {
    var index = this.indexes[key];
    var cached = index.decoded.get(token);
    if (cached) return cached;
    var shard = index.data[token.charCodeAt(0) % index.shards];
    var text = shard && Object.prototype.hasOwnProperty.call(shard, token) ? shard[token] : "";
    var out = decode(text);
    index.decoded.set(token, out);
    return out;
  };

  /* Tokens of a shard matching a one-character Chinese query or a word prefix, merged (no
   * two such tokens start at one position). */
  Engine.prototype.merged = function (seg) {
    var index = this.indexes[seg.key];
    var shard = index.data[seg.text.charCodeAt(0) % index.shards] || {};
    var out = [];
    for (var token in shard) {
      if (!Object.prototype.hasOwnProperty.call(shard, token)) continue;
      var ok = seg.cjk
        ? token[0] === seg.text && CJK_RUN.test(token)
        : token.lastIndexOf(seg.text, 0) === 0 && WORD.test(token);
      if (ok) out = out.concat(this.postings(seg.key, token));
    }
    return out.sort(function (x, y) {
      return x - y;
    });
  };

  /* global start positions of a segment: n characters are n-1 bigrams at consecutive places */
  Engine.prototype.hits = function (seg) {
    if (seg.cjk && seg.text.length === 1) return this.merged(seg);
    if (!seg.cjk) return seg.prefix ? this.merged(seg) : this.postings(seg.key, seg.text);
    var lists = [];
    var smallest = 0;
    for (var i = 0; i + 1 < seg.text.length; i++) {
      lists.push(this.postings(seg.key, seg.text.substr(i, 2)));
      if (lists[i].length < lists[smallest].length) smallest = i;
    }
    var out = [];
    var driver = lists[smallest];
    for (var d = 0; d < driver.length; d++) {
      var start = driver[d] - smallest;
      var ok = true;
      for (var k = 0; k < lists.length && ok; k++) {
        if (k !== smallest && !holds(lists[k], start + k)) ok = false;
      }
      if (ok) out.push(start);
    }
    return out;
  };

  /* Resolves to {segments, matches: [{doc, ts, weight}]}, best first (see search.py). */
  Engine.prototype.search = function (query) {
    var self = this;
    var segments = this.parse(query);
    if (!segments.length) return Promise.resolve({ segments: segments, matches: [] });
    var urls = [];
    segments.forEach(function (seg) {
      self.shardsOf(seg).forEach(function (n) {
        urls.push(self.config.shards[seg.key] + hex2(n) + ".js");
      });
    });
    return Promise.all(
      urls.map(function (u) {
        return self.load(u);
      })
    ).then(function () {
      return { segments: segments, matches: self.rank(segments) };
    });
  };

  Engine.prototype.rank = function (segments) {
    var counts = null; // doc -> [title, summary, body] occurrences of every segment so far
    for (var s = 0; s < segments.length; s++) {
      var index = this.indexes[segments[s].key];
      var mine = new Map();
      var positions = this.hits(segments[s]);
      for (var p = 0; p < positions.length; p++) {
        var pos = positions[p];
        var doc = docOf(index.starts, pos);
        var ends = index.ends[doc];
        var c = mine.get(doc);
        if (!c) mine.set(doc, (c = [0, 0, 0]));
        c[pos < ends[0] ? 0 : pos < ends[1] ? 1 : 2] += 1;
      }
      if (counts === null) {
        counts = mine;
      } else {
        var both = new Map();
        counts.forEach(function (c0, doc) {
          var c1 = mine.get(doc);
          if (c1) both.set(doc, [c0[0] + c1[0], c0[1] + c1[1], c0[2] + c1[2]]);
        });
        counts = both;
      }
      if (!counts.size) return [];
    }
    var matches = [];
    counts.forEach(function (c, doc) {
      matches.push({
        doc: doc,
        ts: c[0] + c[1] > 0,
        weight: c[0] * WEIGHTS[0] + c[1] * WEIGHTS[1] + c[2] * WEIGHTS[2],
      });
    });
    matches.sort(function (x, y) {
      return x.ts !== y.ts ? (x.ts ? -1 : 1) : y.weight - x.weight || x.doc - y.doc;
    });
    return matches;
  };

  Engine.prototype.loadText = function (doc) {
    var self = this;
    return this.load(this.config.text + doc + ".js").then(function () {
      return self.texts[doc];
    });
  };

  /* [start, end) ranges of the segments in text, merged, as the reader sees them. */
  Engine.prototype.ranges = function (text, segments) {
    var folded = this.foldText(text);
    var found = [];
    segments.forEach(function (seg) {
      var from = 0;
      for (;;) {
        var at = folded.indexOf(seg.text, from);
        if (at < 0) break;
        from = at + 1;
        var end = at + seg.text.length;
        if (!seg.cjk) {
          if (at > 0 && /[a-z0-9]/.test(folded[at - 1])) continue;
          if (seg.prefix) {
            while (end < folded.length && /[a-z0-9]/.test(folded[end])) end++;
          } else if (end < folded.length && /[a-z0-9]/.test(folded[end])) {
            continue;
          }
        }
        found.push([at, end]);
      }
    });
    found.sort(function (x, y) {
      return x[0] - y[0] || y[1] - x[1];
    });
    var merged = [];
    found.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  };

  var api = { Engine: Engine, decode: decode };
  root.SiteSearch = api;
  if (typeof module === "object" && module.exports) module.exports = api;

  /* -- the search page ----------------------------------------------------------------------- */

  if (typeof document === "undefined") return;
  var configElement = document.getElementById("search-config");
  if (!configElement) return;

  var PAGE = 20;
  var SNIPPET = 110; // characters of context shown around the first match
  var LATIN = /[A-Za-z0-9\u00c0-\u024f]/;

  function scriptLoader(url) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = url;
      s.async = true;
      s.onload = function () {
        resolve();
      };
      s.onerror = function () {
        reject(new Error("could not load " + url));
      };
      document.head.appendChild(s);
    });
  }

  var config = JSON.parse(configElement.textContent);
  var strings = config.strings;
  var engine = new Engine(config, scriptLoader);
  root.__sbSearch = engine;

  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var orgSelect = document.getElementById("search-org");
  var yearSelect = document.getElementById("search-year");
  // absent on sites without document types (content/types.yaml)
  var typeSelect = document.getElementById("search-type");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");

  var current = { seq: 0, query: "", segments: [], matches: [], shown: 0 };

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  /* Appends text to el with the given ranges wrapped in <mark>. */
  function marked(el, text, ranges, offset) {
    var pos = 0;
    ranges.forEach(function (r) {
      var a = Math.max(r[0] - offset, pos);
      var b = Math.min(r[1] - offset, text.length);
      if (b <= a) return;
      el.appendChild(document.createTextNode(text.slice(pos, a)));
      var m = document.createElement("mark");
      m.textContent = text.slice(a, b);
      el.appendChild(m);
      pos = b;
    });
    el.appendChild(document.createTextNode(text.slice(pos)));
  }

  function snippet(el, fields, segments) {
    var summary = fields[0] || "";
    var body = fields[1] || "";
    var inBody = engine.ranges(body, segments);
    if (inBody.length) {
      var start = Math.max(0, inBody[0][0] - Math.floor(SNIPPET / 3));
      var lineStart = body.lastIndexOf("\n", inBody[0][0] - 1) + 1;
      if (lineStart > start) start = lineStart;
      var end = Math.min(body.length, start + SNIPPET);
      // never cut a Latin word in two
      for (var n = 0; n < 20 && start > lineStart && LATIN.test(body[start - 1]); n++) start--;
      for (var m = 0; m < 20 && end < body.length && LATIN.test(body[end]); m++) end++;
      var text = body.slice(start, end).replace(/\n/g, " ");
      if (start > 0) el.appendChild(document.createTextNode("… "));
      marked(el, text, inBody, start);
      if (end < body.length) el.appendChild(document.createTextNode(" …"));
      return;
    }
    var cut = summary.length > SNIPPET * 1.5 ? Math.floor(SNIPPET * 1.5) : summary.length;
    marked(el, summary.slice(0, cut), engine.ranges(summary, segments), 0);
    if (cut < summary.length) el.appendChild(document.createTextNode(" …"));
  }

  function filtered() {
    var org = orgSelect.value;
    var year = yearSelect.value;
    var type = typeSelect ? typeSelect.value : "";
    var docs = engine.docList.docs;
    return current.matches.filter(function (m) {
      var d = docs[m.doc];
      return (
        (org === "" || String(d[1]) === org) &&
        (year === "" || String(d[2]) === year) &&
        (type === "" || String(d[5]) === type)
      );
    });
  }

  function item(match, segments) {
    var d = engine.docList.docs[match.doc];
    var li = document.createElement("li");
    li.className = "report-item search-result";
    li.setAttribute("data-doc", String(match.doc));
    var h = document.createElement("h2");
    h.className = "report-item-title";
    var a = document.createElement("a");
    a.href = d[3];
    marked(a, d[0], engine.ranges(d[0], segments), 0);
    h.appendChild(a);
    var meta = document.createElement("p");
    meta.className = "meta";
    var org = document.createElement("span");
    org.className = "result-org";
    org.textContent = engine.docList.orgs[d[1]];
    var time = document.createElement("time");
    time.className = "result-year";
    time.setAttribute("datetime", d[4]);
    time.textContent = String(d[2]);
    meta.appendChild(org);
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(time);
    var p = document.createElement("p");
    p.className = "snippet summary";
    li.appendChild(h);
    li.appendChild(meta);
    li.appendChild(p);
    var seq = current.seq;
    engine.loadText(match.doc).then(
      function (fields) {
        if (seq === current.seq && fields) snippet(p, fields, segments);
      },
      function () {}
    );
    return li;
  }

  function show(reset) {
    var results = filtered();
    if (reset) {
      list.textContent = "";
      current.shown = 0;
    }
    var upto = Math.min(results.length, current.shown + PAGE);
    for (var i = current.shown; i < upto; i++) {
      list.appendChild(item(results[i], current.segments));
    }
    current.shown = upto;
    more.hidden = upto >= results.length;
    if (!current.query.trim()) {
      status.textContent = strings.prompt;
    } else if (!results.length) {
      status.textContent = fmt(strings.no_results, { query: current.query.trim() });
    } else {
      status.textContent =
        results.length === 1 ? strings.one_result : fmt(strings.results, { n: results.length });
    }
  }

  function remember() {
    try {
      var params = new URLSearchParams();
      if (input.value) params.set("q", input.value);
      if (orgSelect.value) params.set("org", orgSelect.value);
      if (yearSelect.value) params.set("year", yearSelect.value);
      if (typeSelect && typeSelect.value) params.set("type", typeSelect.value);
      var qs = params.toString();
      history.replaceState(null, "", location.pathname + (qs ? "?" + qs : ""));
    } catch (e) {
      /* some browsers refuse replaceState on file:// pages; the page still works */
    }
  }

  function run() {
    var query = input.value;
    var seq = ++current.seq;
    current.query = query;
    return engine.search(query).then(
      function (result) {
        if (seq !== current.seq) return;
        current.segments = result.segments;
        current.matches = result.matches;
        show(true);
        document.documentElement.setAttribute("data-search-done", query);
      },
      function (error) {
        if (seq === current.seq) status.textContent = String(error.message || error);
      }
    );
  }

  function fillFilters() {
    var docs = engine.docList.docs;
    var counts = {};
    var years = {};
    docs.forEach(function (d) {
      counts[d[1]] = (counts[d[1]] || 0) + 1;
      years[d[2]] = true;
    });
    engine.docList.orgs.forEach(function (name, n) {
      if (!counts[n]) return;
      var o = document.createElement("option");
      o.value = String(n);
      o.textContent = name;
      orgSelect.appendChild(o);
    });
    Object.keys(years)
      .sort(function (x, y) {
        return y - x;
      })
      .forEach(function (y) {
        var o = document.createElement("option");
        o.value = y;
        o.textContent = y;
        yearSelect.appendChild(o);
      });
    if (!typeSelect) return;
    var types = {};
    docs.forEach(function (d) {
      if (d[5] >= 0) types[d[5]] = (types[d[5]] || 0) + 1;
    });
    (engine.docList.types || []).forEach(function (name, n) {
      if (!types[n]) return;
      var o = document.createElement("option");
      o.value = String(n);
      o.textContent = name;
      typeSelect.appendChild(o);
    });
  }

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  status.textContent = strings.loading;
  engine.ready().then(
    function () {
      fillFilters();
      if (params.get("org")) orgSelect.value = params.get("org");
      if (params.get("year")) yearSelect.value = params.get("year");
      if (typeSelect && params.get("type")) typeSelect.value = params.get("type");
      input.addEventListener("input", function () {
        run();
        remember();
      });
      var refilter = function () {
        show(true);
        remember();
      };
      orgSelect.addEventListener("change", refilter);
      yearSelect.addEventListener("change", refilter);
      if (typeSelect) typeSelect.addEventListener("change", refilter);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        run();
        remember();
      });
      more.addEventListener("click", function () {
        show(false);
      });
      document.documentElement.setAttribute("data-search-ready", "");
      if (input.value) run();
      else status.textContent = strings.prompt;
    },
    function (error) {
      status.textContent = String(error.message || error);
    }
  );
})(typeof window !== "undefined" ? window : globalThis);
