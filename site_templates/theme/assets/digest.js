/* Render the math that digest marked in abstracts: <span class="arithmatex">\(...\)</span>.
   Only those spans are rendered (never the page text at large, where a "$" is just a dollar),
   with KaTeX's trust off (no \href, no HTML extensions) and errors shown in place rather than
   thrown, so broken LaTeX in an abstract never breaks the page. */
(function () {
  "use strict";
  /* Material takes every <link rel="alternate"> for a language version and fetches sitemap.xml
     beside it (a 404 beside each feed folder). The page's HTML keeps rel="alternate" for feed
     readers; the live DOM names the feeds "alternate feed", which Material's [rel=alternate]
     no longer matches. This runs before DOMContentLoaded, when Material looks. */
  document.querySelectorAll(
    'link[rel=alternate][type="application/rss+xml"], ' +
    'link[rel=alternate][type="application/atom+xml"], ' +
    'link[rel=alternate][type="application/feed+json"]'
  ).forEach(function (link) { link.rel = "alternate feed"; });

  function render(root) {
    if (typeof katex === "undefined") return;
    root.querySelectorAll(".arithmatex").forEach(function (el) {
      if (el.dataset.rendered) return;
      var tex = el.textContent.trim();
      if (tex.startsWith("\\(") && tex.endsWith("\\)")) tex = tex.slice(2, -2);
      katex.render(tex, el, {
        throwOnError: false,
        trust: false,
        strict: "ignore",
        displayMode: false,
        maxExpand: 200
      });
      el.dataset.rendered = "1";
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { render(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { render(document); });
  } else {
    render(document);
  }
})();

/* The search page (search.md): Pagefind's indexes, one per bucket of papers plus one of the
   themes (digest/site/search.py), merged into one search. One hit per paper, papers before
   themes, each with its authors and the words of its abstract around the match. Nothing from
   the index is ever parsed as HTML: titles, authors and snippets are set as text, and the
   matched words become <mark> elements made here. */
(function () {
  "use strict";
  var box = document.querySelector(".dg-search");
  if (!box) return;
  var root = new URL(box.dataset.root || "./", location.href);
  var input = box.querySelector(".dg-search__input");
  var status = box.querySelector(".dg-search__status");
  var list = box.querySelector(".dg-search__results");
  var engine = null;
  /* Words of a snippet, and words of context shown before the first match in it. */
  var SNIPPET = 32;
  var BEFORE = 6;
  /* How Pagefind cuts a record's text into the words its locations count. */
  var SPACE = /[\r\n\s]+/g;

  function wordCount(text) {
    return (text || "").split(SPACE).filter(function (w) { return w; }).length;
  }
  function snippet(hit) {
    /* A record's text is its title, its abstract, its authors, then its keywords (search.py):
       the snippet is the stretch of the abstract with the most matches, built from Pagefind's
       raw text and word locations. Pagefind's own excerpt is not used: it escapes "<" but not "&", so
       "&lt;" in an abstract and "<" would read the same once decoded. */
    var words = (hit.content || "").split(SPACE);
    var first = words[0] === "" ? 1 : 0;
    var last = words[words.length - 1] === "" ? words.length - 1 : words.length;
    var from = Math.min(last, first + wordCount(hit.meta.title));
    var to = Math.max(from, last - wordCount(hit.meta.authors) - wordCount(hit.meta.keywords));
    var found = (hit.locations || []).filter(function (n) { return n >= from && n < to; });
    found.sort(function (a, b) { return a - b; });
    var start = from;
    var most = 0;
    found.forEach(function (n) {
      var at = Math.max(from, n - BEFORE);
      var inside = found.filter(function (m) { return m >= at && m < at + SNIPPET; }).length;
      if (inside > most) { most = inside; start = at; }
    });
    var end = Math.min(to, start + SNIPPET);
    start = Math.max(from, Math.min(start, end - SNIPPET));
    var marked = {};
    found.forEach(function (n) { marked[n] = true; });
    var p = document.createElement("p");
    p.className = "dg-hit__excerpt";
    var text = start > from ? "… " : "";
    for (var i = start; i < end; i++) {
      if (i > start) text += " ";
      if (!marked[i]) { text += words[i]; continue; }
      p.appendChild(document.createTextNode(text));
      text = "";
      var mark = document.createElement("mark");
      mark.textContent = words[i];
      p.appendChild(mark);
    }
    p.appendChild(document.createTextNode(text + (end < to ? " …" : "")));
    return p;
  }
  function load() {
    if (engine) return engine;
    engine = fetch(new URL("pagefind/buckets.json", root)).then(function (r) {
      return r.json();
    }).then(function (listing) {
      var names = listing.buckets;
      var first = new URL("pagefind/" + names[0] + "/", root);
      return import(new URL("pagefind.js", first).href).then(function (pagefind) {
        return pagefind.options({ baseUrl: root.pathname }).then(function () {
          return Promise.all(names.slice(1).map(function (name) {
            return pagefind.mergeIndex(new URL("pagefind/" + name + "/", root).href);
          }));
        }).then(function () { return pagefind; });
      });
    });
    return engine;
  }
  function span(className, text) {
    var el = document.createElement("span");
    el.className = className;
    el.textContent = text;
    return el;
  }
  function item(hit) {
    var li = document.createElement("li");
    li.className = "dg-hit dg-hit--" + hit.meta.kind;
    var link = document.createElement("a");
    link.href = new URL(hit.meta.href, root).href;
    link.textContent = hit.meta.title;
    link.className = "dg-hit__title";
    li.appendChild(link);
    if (hit.meta.kind === "theme") {
      li.appendChild(span("dg-hit__date", " · theme"));
      return li;
    }
    var meta = document.createElement("div");
    meta.className = "dg-hit__meta";
    if (hit.meta.authors) meta.appendChild(span("dg-hit__authors", hit.meta.authors));
    if (hit.meta.date) meta.appendChild(span("dg-hit__date", hit.meta.date));
    li.appendChild(meta);
    li.appendChild(snippet(hit));
    return li;
  }
  var shown = 0;
  function show(query) {
    var asked = ++shown;
    list.textContent = "";
    if (!query.trim()) { status.textContent = ""; return; }
    status.textContent = "Searching…";
    load().then(function (pagefind) {
      return pagefind.search(query);
    }).then(function (found) {
      return Promise.all(found.results.slice(0, 60).map(function (r) { return r.data(); }));
    }).then(function (hits) {
      if (asked !== shown) return;  /* a later query is on its way: its answer is shown */
      var papers = hits.filter(function (h) { return h.meta.kind === "paper"; }).slice(0, 30);
      var themes = hits.filter(function (h) { return h.meta.kind === "theme"; }).slice(0, 5);
      var all = papers.concat(themes);
      list.textContent = "";
      status.textContent = all.length ? "" : "No papers match.";
      all.forEach(function (hit) { list.appendChild(item(hit)); });
      box.dataset.query = query;
    }).catch(function (error) {
      status.textContent = "Search is unavailable here (" + error.message + ").";
    });
  }
  var query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(location.href);
      url.searchParams.set("q", input.value);
      history.replaceState(null, "", url.href);
      show(input.value);
    }, 150);
  });
  box.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
  });
  if (query) show(query);
})();

/* The keyword index: a link to a keyword (a card's chip) opens its list of papers. */
(function () {
  "use strict";
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") {
      target.open = true;
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openTarget);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openTarget);
  } else {
    openTarget();
  }
})();
