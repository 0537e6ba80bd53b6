() => {
  // What an axe run would flag first, checked without network.
  const out = [];
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) out.push("h1 count " + h1);
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const byFor = el.id && document.querySelector('label[for="' + el.id + '"]');
    if (!byFor && !el.getAttribute("aria-label") && !el.closest("label")) {
      out.push("unlabelled " + (el.name || el.outerHTML));
    }
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) out.push("img without alt");
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (!svg.getAttribute("aria-label") && !svg.querySelector("title")) out.push("svg untitled");
  }
  if (!document.querySelector('a.skip[href="#main"]')) out.push("no skip link");
  if (!document.querySelector("main")) out.push("no main");
  if (!document.documentElement.lang) out.push("no lang");
  if (!document.querySelector("nav a[aria-current=page]")) out.push("no current nav item");
  return out;
}
