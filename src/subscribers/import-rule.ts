// The rule of a reader brought in with a list from another tool, as a pure transition like those in
// reader-rules.ts: previous record + what the export says -> next record and the outcome to count.
// Tidings's own record outranks the export, except where the record came from an earlier import.
import type { Preferences } from "./preferences";
import type { Suppression } from "./reader-rules";
import { withEvent, type ConsentEvent, type Subscriber } from "./subscriber-schema";

export type ImportStatus = "subscribed" | "unconfirmed" | "unsubscribed" | "bounced" | "complained";

export type ImportInput = {
  /** Which import, and which row of its file: the ledger counts each import once. */
  importId: string;
  row: number;
  status: ImportStatus;
  /** Consent unknown: ask each reader to confirm (one email) instead of carrying their consent. */
  askToConfirm: boolean;
  source: string;
  attestation: string | null;
  signedUpAt: string | null;
  confirmedAt: string | null;
  leftAt: string | null;
  preferences: Preferences;
};

export type ImportOutcome = "added" | "updated" | "unchanged" | "suppressed" | "refused";

export type ImportDecision = {
  next: Subscriber | null;
  outcome: ImportOutcome;
  reason?: string;
  /** The new record claims the confirmation slot: the caller sends the one confirmation email. */
  confirm?: boolean;
};

const unchanged: ImportDecision = { next: null, outcome: "unchanged" };

export function importReader(
  previous: Subscriber | null,
  suppression: Suppression | null,
  email: string,
  input: ImportInput,
  now: Date,
): ImportDecision {
  const stamp = now.toISOString();
  const imported: ConsentEvent = {
    at: stamp,
    event: "imported",
    via: "import",
    source: input.source,
    ...(input.attestation && !input.askToConfirm ? { attestation: input.attestation } : {}),
  };
  if (!previous && suppression?.reason === "erased")
    return {
      next: null,
      outcome: "refused",
      reason: "this reader had their data erased from Tidings; an import does not bring them back",
    };
  // Bounced, complained or invalid before an erasure: suppressed already, for good.
  if (!previous && suppression) return unchanged;

  if (
    input.status === "unsubscribed" ||
    input.status === "bounced" ||
    input.status === "complained"
  )
    return stopped(previous, input, email, imported, stamp);

  if (input.status === "unconfirmed" && !input.askToConfirm)
    return {
      next: null,
      outcome: "refused",
      reason: `never confirmed in ${input.source}: import with askToConfirm to ask them`,
    };

  if (!previous) {
    const record = fresh(email, input, stamp, input.askToConfirm ? "pending" : "confirmed");
    if (input.askToConfirm)
      return {
        next: withEvent(withEvent({ ...record, confirmationSentAt: stamp }, imported), {
          at: stamp,
          event: "confirmation_sent",
        }),
        outcome: "added",
        confirm: true,
      };
    return { next: confirmed(withEvent(record, imported), input, stamp), outcome: "added" };
  }
  // A reader who signed up here but never confirmed: the importer's attestation confirms them.
  // Anyone else keeps what they have here: confirmed readers are not re-consented, and readers who
  // left, bounced or complained are never subscribed again by an import.
  if (previous.status !== "pending" || input.askToConfirm) return unchanged;
  const record: Subscriber = {
    ...fresh(email, input, stamp, "confirmed"),
    createdAt: previous.createdAt,
    confirmationSentAt: previous.confirmationSentAt,
    history: previous.history,
    preferences: previous.preferences ?? input.preferences,
  };
  return { next: confirmed(withEvent(record, imported), input, stamp), outcome: "updated" };
}

/** The export shows the reader gone: a new address is kept as suppressed, never mailed. */
function stopped(
  previous: Subscriber | null,
  input: ImportInput,
  email: string,
  imported: ConsentEvent,
  stamp: string,
): ImportDecision {
  const status = input.status === "unsubscribed" ? "unsubscribed" : input.status;
  if (!previous) {
    const record = fresh(email, input, stamp, status as Subscriber["status"]);
    const left =
      status === "unsubscribed"
        ? { unsubscribedAt: input.leftAt ?? stamp, unsubscribeMethod: "import" as const }
        : {};
    return {
      next: withEvent({ ...record, consent: { ...record.consent, ...left } }, imported),
      outcome: "suppressed",
    };
  }
  // Only what an import brought in may an import take away: a reader who confirmed here stays.
  const subscribed = previous.status === "pending" || previous.status === "confirmed";
  if (!subscribed || previous.consent.source !== "import") return unchanged;
  const left =
    status === "unsubscribed"
      ? { unsubscribedAt: input.leftAt ?? stamp, unsubscribeMethod: "import" as const }
      : {};
  return {
    next: withEvent(
      {
        ...previous,
        status: status as Subscriber["status"],
        consent: { ...previous.consent, ...left },
      },
      { at: stamp, event: status as ConsentEvent["event"], via: "import" },
    ),
    outcome: "suppressed",
  };
}

function fresh(
  email: string,
  input: ImportInput,
  stamp: string,
  status: Subscriber["status"],
): Subscriber {
  return {
    email,
    status,
    createdAt: stamp,
    updatedAt: stamp,
    consent: {
      signedUpAt: input.signedUpAt ?? stamp,
      source: "import",
      formVersion: input.source,
      ipHash: null,
      confirmedAt: null,
      unsubscribedAt: null,
      unsubscribeMethod: null,
    },
    confirmationSentAt: null,
    welcomeSentAt: null,
    history: [],
    preferences: input.preferences,
  };
}

/** Confirmed by the importer's attestation: the export's confirmation time, else now. */
function confirmed(record: Subscriber, input: ImportInput, stamp: string): Subscriber {
  return withEvent(
    {
      ...record,
      status: "confirmed",
      consent: { ...record.consent, confirmedAt: input.confirmedAt ?? stamp },
    },
    { at: stamp, event: "confirmed", via: "import" },
  );
}
