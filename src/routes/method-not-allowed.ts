// Which methods a path answers, read from the app's own route table, so a wrong method gets 405
// with `Allow` instead of 404. Middleware (method ALL) does not count as an answer.

type RouteEntry = { method: string; path: string };

/** `/api/articles/:id` or `/desk/sends/:id/:action{release|redrive}` as an anchored RegExp. */
function patternOf(path: string): RegExp {
  let source = "";
  for (const segment of path.split("/").slice(1)) {
    if (segment === "*") {
      source += "(?:/.*)?";
      continue;
    }
    const param = /^:[A-Za-z0-9_]+(?:\{(.+)\})?$/.exec(segment);
    const piece = param
      ? param[1]
        ? `(?:${param[1]})`
        : "[^/]+"
      : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    source += `/${piece}`;
  }
  return new RegExp(`^${source || "/"}/?$`);
}

export function allowedMethods(routes: RouteEntry[], pathname: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === "ALL") continue;
    if (patternOf(route.path).test(pathname)) methods.add(route.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}
