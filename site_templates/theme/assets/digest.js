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
