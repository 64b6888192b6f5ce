// What each tool's subscriber export looks like, and how one of its rows reads: the address, what the
// export says of the reader, their dates and tags. Which columns were relied on, and where they were
// found, is in docs/readers.md ("Moving your list").
import { EmailAddress } from "../subscribers/subscriber-schema";
import { exportDate, exportTags, statusWord, type ExportStatus } from "./export-values";

export const TOOLS = [
  "mailchimp",
  "ghost",
  "substack",
  "listmonk",
  "kit",
  "buttondown",
  "beehiiv",
  "plain",
] as const;
export type Tool = (typeof TOOLS)[number];

/** One row as the importer carries it: a reader to decide about, or a refusal with its reason. */
export type ExportRow =
  | {
      row: number;
      email: string;
      status: ExportStatus;
      signedUpAt: string | null;
      confirmedAt: string | null;
      leftAt: string | null;
      tags: string[];
    }
  | { row: number; input: string; refused: string };

type Cells = (column: string) => string | undefined;
type Verdict = ExportStatus | { refused: string };

type Profile = {
  tool: Tool;
  label: string;
  /** Lower-cased header names that tell this tool's export from the others. */
  matches: (header: Set<string>) => boolean;
  email: string[];
  signedUp: string[];
  confirmed: string[];
  left: string[];
  tags: string[];
  status: (cell: Cells, header: Set<string>, email: string) => Verdict;
};

const unknownStatus = (value: string | undefined): Verdict => ({
  refused: `the status "${(value ?? "").slice(0, 40)}" is not one Tidings knows`,
});

/** A tool's status words; anything else is refused rather than guessed. */
const byWord =
  (column: string[], words: Record<string, Verdict>) =>
  (cell: Cells): Verdict => {
    const value = column.map(cell).find((found) => found !== undefined);
    return words[(value ?? "").trim().toLowerCase()] ?? unknownStatus(value);
  };

const PROFILES: Profile[] = [
  {
    // An audience export is three files: subscribed, unsubscribed (UNSUB_TIME…), cleaned (CLEAN_TIME…).
    tool: "mailchimp",
    label: "Mailchimp",
    matches: (h) =>
      h.has("email address") &&
      ["member_rating", "optin_time", "leid", "euid"].some((c) => h.has(c)),
    email: ["email address"],
    signedUp: ["optin_time", "confirm_time"],
    confirmed: ["confirm_time"],
    left: ["unsub_time", "clean_time"],
    tags: ["tags"],
    status: (cell, h) => {
      if (h.has("clean_time")) return "bounced";
      if (h.has("unsub_time"))
        return /abuse|spam/i.test(cell("unsub_reason") ?? "") ? "complained" : "unsubscribed";
      return "subscribed";
    },
  },
  {
    tool: "ghost",
    label: "Ghost",
    matches: (h) => h.has("subscribed_to_emails"),
    email: ["email"],
    signedUp: ["created_at"],
    confirmed: [],
    left: [],
    tags: ["labels"],
    status: byWord(["subscribed_to_emails"], { true: "subscribed", false: "unsubscribed" }),
  },
  {
    // Substack lists current readers; email_disabled=true is a reader who turned emails off.
    tool: "substack",
    label: "Substack",
    matches: (h) => h.has("email") && (h.has("active_subscription") || h.has("email_disabled")),
    email: ["email"],
    signedUp: ["created_at"],
    confirmed: [],
    left: [],
    tags: [],
    status: (cell, _h, email) => {
      if (/@deletion-request\.substack\.com$/i.test(email))
        return { refused: "a reader who asked Substack to delete their data" };
      return (cell("email_disabled") ?? "").trim().toLowerCase() === "true"
        ? "unsubscribed"
        : "subscribed";
    },
  },
  {
    tool: "listmonk",
    label: "listmonk",
    matches: (h) => h.has("uuid") && h.has("attributes") && h.has("status"),
    email: ["email"],
    signedUp: ["created_at"],
    confirmed: [],
    left: [],
    tags: [],
    // A blocklisted or disabled subscriber gets no mail from listmonk at all.
    status: byWord(["status"], {
      enabled: "subscribed",
      blocklisted: "unsubscribed",
      disabled: "unsubscribed",
    }),
  },
  {
    tool: "kit",
    label: "Kit (ConvertKit)",
    matches: (h) => (h.has("email_address") || h.has("email address")) && h.has("state"),
    email: ["email_address", "email address"],
    signedUp: ["created_at"],
    confirmed: [],
    left: ["canceled_at", "cancelled_at"],
    tags: ["tags"],
    // inactive: signed up but never confirmed the double opt-in.
    status: byWord(["state"], {
      active: "subscribed",
      inactive: "unconfirmed",
      cancelled: "unsubscribed",
      bounced: "bounced",
      complained: "complained",
    }),
  },
  {
    tool: "buttondown",
    label: "Buttondown",
    matches: (h) =>
      h.has("subscriber_type") ||
      (h.has("type") && (h.has("creation_date") || h.has("email_address"))),
    email: ["email", "email_address"],
    signedUp: ["creation_date", "subscription date"],
    confirmed: [],
    left: ["unsubscription_date", "undeliverability date"],
    tags: ["tags"],
    status: byWord(["subscriber_type", "type"], {
      ...Object.fromEntries(
        ["regular", "premium", "trialed", "unpaid", "gifted", "churning", "paused", "past_due"].map(
          (type) => [type, "subscribed" as const],
        ),
      ),
      unactivated: "unconfirmed",
      unsubscribed: "unsubscribed",
      removed: "unsubscribed",
      undeliverable: "bounced",
      spammy: { refused: "Buttondown marked this address as spammy" },
    }),
  },
  {
    tool: "beehiiv",
    label: "beehiiv",
    matches: (h) =>
      h.has("email") && h.has("status") && (h.has("tier") || h.has("unsubscribed_at")),
    email: ["email"],
    signedUp: ["created_at"],
    confirmed: [],
    left: ["unsubscribed_at"],
    tags: ["tags"],
    status: byWord(["status"], {
      active: "subscribed",
      inactive: "unsubscribed",
      pending: "unconfirmed",
      validating: "unconfirmed",
      invalid: "bounced",
    }),
  },
  {
    tool: "plain",
    label: "a plain list",
    matches: (h) => PLAIN_EMAIL.some((column) => h.has(column)),
    email: [],
    signedUp: ["created_at", "signed_up_at", "subscribed_at"],
    confirmed: ["confirmed_at"],
    left: ["unsubscribed_at"],
    tags: ["tags"],
    status: (cell) => {
      const value = cell("status");
      if (value === undefined || value.trim() === "") return "subscribed";
      return statusWord(value) ?? unknownStatus(value);
    },
  },
];

const PLAIN_EMAIL = ["email", "email address", "email_address", "e-mail", "address"];

export type ExportFormat = {
  tool: Tool;
  label: string;
  read(cells: string[], row: number, now: Date): ExportRow;
};

/**
 * The format of an export from its header row (or the one the importer names), or why it cannot be
 * read. `tagColumns` are more columns holding tags or groups (Mailchimp's group columns).
 */
export function exportFormat(
  headerCells: string[],
  options: { tool?: Tool | undefined; tagColumns?: string[] | undefined } = {},
): ExportFormat | { error: string } {
  const header = headerCells.map((cell) =>
    cell
      .replace(/^\uFEFF/, "")
      .trim()
      .toLowerCase(),
  );
  const names = new Set(header);
  const profile = options.tool
    ? PROFILES.find((candidate) => candidate.tool === options.tool)!
    : PROFILES.find((candidate) => candidate.matches(names));
  const emailColumns = profile?.email.length ? profile.email : PLAIN_EMAIL;
  const emailIndex = header.findIndex((name) => emailColumns.includes(name));
  if (!profile || emailIndex === -1)
    return {
      error: `the first row must name the address column (${emailColumns.slice(0, 3).join(", ")}); found ${headerCells.slice(0, 6).join(", ").slice(0, 200) || "nothing"}`,
    };
  const extraTags = (options.tagColumns ?? []).map((column) => column.trim().toLowerCase());
  const missing = extraTags.filter((column) => !names.has(column));
  if (missing.length > 0)
    return { error: `tagColumns names columns the file lacks: ${missing.join(", ")}` };

  return {
    tool: profile.tool,
    label: profile.label,
    read(cells, row, now) {
      const cell: Cells = (column) => {
        const index = header.indexOf(column);
        return index === -1 ? undefined : cells[index];
      };
      const first = (columns: string[]) => columns.map(cell).find((value) => value?.trim());
      // Spreadsheets and our own export guard formulas with a leading apostrophe.
      const input = (cells[emailIndex] ?? "").trim().replace(/^'/, "");
      const email = EmailAddress.safeParse(input);
      if (!email.success)
        return { row, input: input.slice(0, 254), refused: "not an email address" };
      const verdict = profile.status(cell, names, email.data);
      if (typeof verdict === "object") return { row, input: email.data, refused: verdict.refused };
      return {
        row,
        email: email.data,
        status: verdict,
        signedUpAt: exportDate(first(profile.signedUp), now),
        confirmedAt: exportDate(first(profile.confirmed), now),
        leftAt: exportDate(first(profile.left), now),
        tags: [...profile.tags, ...extraTags].flatMap((column) => exportTags(cell(column))),
      };
    },
  };
}
