// The welcome email says what the reader gets and when: their own choices under personal delivery.
import { describe, expect, it } from "vitest";
import { describePreferences, defaultPreferences } from "../../src/subscribers/preferences";
import { readerLinks } from "../../src/subscribers/reader-links";
import { renderWelcomeEmail } from "../../templates/reader-emails";
import { parseHtml } from "../fixtures/parse";

const topics = [
  { slug: "ai", label: "AI" },
  { slug: "security", label: "Security" },
];
const welcome = (choices?: string) =>
  renderWelcomeEmail({
    siteTitle: "Tidings",
    siteUrl: "https://tidings.test",
    sendTime: "07:00 UTC",
    choices,
    links: readerLinks("https://tidings.test", "tok"),
    postalAddress: "1 Example Street",
  });

describe("the welcome email", () => {
  it("names the reader's own topics, cadence and local time under personal delivery", () => {
    const choices = describePreferences(
      {
        ...defaultPreferences("Europe/Berlin"),
        topics: ["ai", "security"],
        cadence: "weekly",
        weekday: "mon",
        deliveryHour: 8,
      },
      topics,
    );
    const email = welcome(choices);
    expect(email.text).toContain(
      "You get: AI and Security, weekly on Mondays at 08:00 Europe/Berlin.",
    );
    const page = parseHtml(email.html);
    expect(page.text(page.all("strong")[0]!)).toBe(
      "You get: AI and Security, weekly on Mondays at 08:00 Europe/Berlin.",
    );
    const change = page.all("a").find((a) => page.text(a) === "Change what you get and when")!;
    expect(page.attr(change, "href")).toBe("https://tidings.test/preferences?token=tok");
  });

  it("names the one daily send time when everyone gets the same edition", () => {
    expect(welcome().text).toContain("You get one email every day at 07:00 UTC.");
  });
});
