// The favicon: one small SVG (a "T" on the brand blue), inlined in every page and served at
// /favicon.ico for clients that ask for it anyway.

export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b57d0"/><path d="M9 9h14v4h-5v12h-4V13H9z" fill="#fff"/></svg>';

export const FAVICON_DATA_URL = `data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}`;
