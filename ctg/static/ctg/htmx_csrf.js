// htmx requests (POST included) carry the page's CSRF token, read from <meta name="ctg-csrf-token"> (base.html):
// a static file rather than an inline script, which the Content-Security-Policy (script-src 'self') forbids.
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="ctg-csrf-token"]');
  if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
});
