// Dashboard filters: leave empty fields out of the request, so that the address bar keeps only the filters
// in force (shareable, readable). The page works without this script; HTMX works without it too.
document.addEventListener("htmx:configRequest", (event) => {
  const formData = event.detail.formData;
  if (!formData) {
    return;
  }
  for (const [name, value] of Array.from(formData.entries())) {
    if (value === "") {
      formData.delete(name);
    }
  }
});

// The map's departments are SVG links (HTMX leaves those to the browser): with HTMX, a click swaps the results
// as the filter tags do, and the address follows. Without this script, the link loads the filtered page.
document.addEventListener("click", (event) => {
  const link = event.target.closest ? event.target.closest(".qic-map a[href]") : null;
  const results = document.getElementById("dashboard-results");
  if (!link || !results || !window.htmx || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
    return;
  }
  event.preventDefault();
  const url = link.getAttribute("href");
  window.htmx.ajax("GET", url, { target: results, source: link }).then(() => {
    window.history.pushState({ htmx: true }, "", url);
  });
});
