// Feed dates: RFC 822 with the zone names feeds write, ISO 8601 variants, dc:date and dcterms.
import { describe, expect, it } from "vitest";
import { parseFeedDate } from "../../src/sources/feed-dates";
import { readFeed } from "../../src/sources/read-feed";

describe("feed dates", () => {
  it("reads RFC 822 with US, European and military zone names", () => {
    const cases: [string, string][] = [
      ["Thu, 30 Apr 2015 08:57:00 CEST", "2015-04-30T06:57:00.000Z"],
      ["Thu, 30 Apr 2015 08:57:00 MET", "2015-04-30T07:57:00.000Z"],
      ["Thu, 30 Apr 2015 08:57:00 MEST", "2015-04-30T06:57:00.000Z"],
      ["Thu, 30 Apr 2015 08:57:00 CET", "2015-04-30T07:57:00.000Z"],
      ["Wed, 17 Jan 2018 15:50:00 EST", "2018-01-17T20:50:00.000Z"],
      ["Wed, 17 Jan 2018 15:50:00 PT", "2018-01-17T23:50:00.000Z"],
      ["Wed, 17 Jan 2018 15:50:00 PDT", "2018-01-17T22:50:00.000Z"],
      ["Wed, 17 Jan 2018 15:50:00 CDT", "2018-01-17T20:50:00.000Z"],
      ["Wed, 17 Jan 2018 15:50:00 GMT", "2018-01-17T15:50:00.000Z"],
      ["Wed, 17 Jan 2018 15:50:00 Z", "2018-01-17T15:50:00.000Z"],
      ["Wed, 17 Jan 2018 15:50:00 A", "2018-01-17T16:50:00.000Z"],
      ["Wed, 17 Jan 2018 15:50:00 Y", "2018-01-17T03:50:00.000Z"],
      ["Wed, 17 Jan 2018 15:50:00 +0530", "2018-01-17T10:20:00.000Z"],
      ["Wed, 17 Jan 2018 15:50:00 GMT-05:00", "2018-01-17T20:50:00.000Z"],
      ["17 Jan 2018 15:50 -0800", "2018-01-17T23:50:00.000Z"],
      ["Wed,17 Jan 18 15:50:00 +0000", "2018-01-17T15:50:00.000Z"],
      ["Wednesday, 17 January 2018 15:50:00 EST", "2018-01-17T20:50:00.000Z"],
      ["Jan 17 2018 15:50:00 GMT", "2018-01-17T15:50:00.000Z"],
      ["Wed Jan 17 15:50:00 2018", "2018-01-17T15:50:00.000Z"],
      ["Wed, 17 Jan 2018", "2018-01-17T00:00:00.000Z"],
    ];
    for (const [text, iso] of cases) expect(parseFeedDate(text), text).toBe(iso);
  });

  it("reads ISO 8601 and W3C-DTF variants, a date without a zone as UTC", () => {
    const cases: [string, string][] = [
      ["2025-06-02T09:00:00Z", "2025-06-02T09:00:00.000Z"],
      ["2025-06-02T09:00:00.123456+02:00", "2025-06-02T07:00:00.123Z"],
      ["2025-06-02T09:00:00+0200", "2025-06-02T07:00:00.000Z"],
      ["2025-06-02T09:00:00", "2025-06-02T09:00:00.000Z"],
      ["2025-06-02 09:00:00", "2025-06-02T09:00:00.000Z"],
      ["2025-06-02T09:00Z", "2025-06-02T09:00:00.000Z"],
      ["2025-06-02", "2025-06-02T00:00:00.000Z"],
      ["20250602T090000Z", "2025-06-02T09:00:00.000Z"],
      ["2025-06", "2025-06-01T00:00:00.000Z"],
    ];
    for (const [text, iso] of cases) expect(parseFeedDate(text), text).toBe(iso);
  });

  it("gives null for what is not a date", () => {
    for (const text of [
      "",
      "yesterday",
      "31 Apr 2015 10:00:00 GMT",
      "2025-13-01",
      "Seg, 24 Set 2018",
    ]) {
      expect(parseFeedDate(text), text).toBeNull();
    }
  });

  it("takes pubDate, else dc:date or dcterms, never the channel's date", () => {
    const xml = `<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><channel>
      <pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>
      <item><title>a</title><pubDate>not a date</pubDate><dc:date>2025-06-02T09:00:00Z</dc:date></item>
      <item><title>b</title><dcterms:modified>2025-06-03T09:00:00+01:00</dcterms:modified></item>
      <item><title>c</title><dcterms:issued>2025-06-04</dcterms:issued><dcterms:modified>2025-06-09</dcterms:modified></item>
      <item><title>d</title></item></channel></rss>`;
    const feed = readFeed(new TextEncoder().encode(xml), {
      url: "https://feed.example/feed.xml",
      contentType: null,
    });
    expect(feed.items.map((item) => item.publishedAt)).toEqual([
      "2025-06-02T09:00:00.000Z",
      "2025-06-03T08:00:00.000Z",
      "2025-06-04T00:00:00.000Z",
      null,
    ]);
  });
});
