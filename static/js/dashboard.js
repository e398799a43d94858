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
