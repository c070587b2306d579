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
   themes, each with the words of its abstract around the match. Text from the index is set
   as text; only Pagefind's <mark> tags around matched words are kept as markup. */
(function () {
  "use strict";
  var box = document.querySelector(".dg-search");
  if (!box) return;
  var root = new URL(box.dataset.root || "./", location.href);
  var input = box.querySelector(".dg-search__input");
  var status = box.querySelector(".dg-search__status");
  var list = box.querySelector(".dg-search__results");
  var engine = null;

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }
  function excerptHtml(excerpt) {
    /* Pagefind's excerpt is text with <mark> around matches: escape it, then keep the marks. */
    var text = excerpt.replace(/<mark>/g, "\u0001").replace(/<\/mark>/g, "\u0002");
    var div = document.createElement("div");
    div.innerHTML = text;  /* Decode entities Pagefind wrote (&amp; ...); scripts never run. */
    return escapeText(div.textContent).replace(/\u0001/g, "<mark>").replace(/\u0002/g, "</mark>");
  }
  function load() {
    if (engine) return engine;
    engine = fetch(new URL("pagefind/buckets.json", root)).then(function (r) {
      return r.json();
    }).then(function (listing) {
      var names = listing.buckets;
      var first = new URL("pagefind/" + names[0] + "/", root);
      return import(new URL("pagefind.js", first).href).then(function (pagefind) {
        return pagefind.options({ baseUrl: root.pathname, excerptLength: 24 }).then(function () {
          return Promise.all(names.slice(1).map(function (name) {
            return pagefind.mergeIndex(new URL("pagefind/" + name + "/", root).href);
          }));
        }).then(function () { return pagefind; });
      });
    });
    return engine;
  }
  function show(query) {
    list.textContent = "";
    if (!query.trim()) { status.textContent = ""; return; }
    status.textContent = "Searching…";
    load().then(function (pagefind) {
      return pagefind.search(query);
    }).then(function (found) {
      return Promise.all(found.results.slice(0, 60).map(function (r) { return r.data(); }));
    }).then(function (hits) {
      var papers = hits.filter(function (h) { return h.meta.kind === "paper"; }).slice(0, 30);
      var themes = hits.filter(function (h) { return h.meta.kind === "theme"; }).slice(0, 5);
      var shown = papers.concat(themes);
      status.textContent = shown.length ? "" : "No papers match.";
      shown.forEach(function (hit) {
        var item = document.createElement("li");
        item.className = "dg-hit dg-hit--" + hit.meta.kind;
        var link = document.createElement("a");
        link.href = new URL(hit.meta.href, root).href;
        link.textContent = hit.meta.title;
        link.className = "dg-hit__title";
        item.appendChild(link);
        if (hit.meta.kind === "theme") {
          var label = document.createElement("span");
          label.className = "dg-hit__date";
          label.textContent = " · theme";
          item.appendChild(label);
        } else if (hit.meta.date) {
          var date = document.createElement("span");
          date.className = "dg-hit__date";
          date.textContent = " · " + hit.meta.date;
          item.appendChild(date);
        }
        if (hit.meta.kind === "paper") {
          var snippet = document.createElement("p");
          snippet.className = "dg-hit__excerpt";
          snippet.innerHTML = excerptHtml(hit.excerpt);
          item.appendChild(snippet);
        }
        list.appendChild(item);
      });
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
