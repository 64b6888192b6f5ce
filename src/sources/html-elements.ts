// HTML's element names (the living standard's, plus the obsolete ones feeds still carry). A tag whose
// name is not here (`<T>` in `Vec<T>`, `<K,` in `Map<K, V>`) is text someone wrote, not markup.

export const HTML_ELEMENTS = new Set(
  `a abbr acronym address area article aside audio b base basefont bdi bdo big blink blockquote body
  br button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir
  div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6
  head header hgroup hr html i iframe img input ins kbd label legend li link main map mark marquee
  menu meta meter nav nobr noembed noframes noscript object ol optgroup option output p param
  picture plaintext pre progress q rp rt ruby s samp script search section select slot small source
  spacer span strike strong style sub summary sup svg math table tbody td template textarea tfoot th
  thead time title tr track tt u ul var video wbr xmp`.split(/\s+/),
);

/** Elements whose content a reader never sees as text. */
export const HIDDEN_ELEMENTS = new Set(
  "script style template iframe object embed svg math head noembed noframes select".split(" "),
);

/** Elements that break a line: their edges become a space in plain text. */
export const BLOCK_ELEMENTS = new Set(
  `address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer
  form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section summary table tbody td tfoot
  th thead tr ul`.split(/\s+/),
);
