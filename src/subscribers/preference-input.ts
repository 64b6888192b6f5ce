// Reading a reader's choices from where they arrive (the sign-up and preferences forms, JSON bodies)
// into one shape that applyPreferences checks. Nothing here decides what is valid.
import { ApiError } from "../errors";
import {
  applyPreferences,
  defaultPreferences,
  type Preferences,
  type PreferencesInput,
  type Topic,
} from "./preferences";

const FIELDS = ["topics", "cadence", "weekday", "deliveryHour", "timeZone"] as const;

/** The preference fields present in a JSON body (other fields are the caller's business). */
export function preferencesFromJson(body: Record<string, unknown>): PreferencesInput {
  const input: PreferencesInput = {};
  for (const field of FIELDS) if (body[field] !== undefined) input[field] = body[field];
  return input;
}

/**
 * The preference fields of a form. The forms carry `choices=1`; without it (an older form, a bare
 * POST) nothing is chosen. An unticked topic list is sent as an empty one, so it can be refused.
 */
export function preferencesFromForm(form: URLSearchParams): PreferencesInput {
  if (form.get("choices") !== "1") return {};
  const input: PreferencesInput = { topics: form.getAll("topics") };
  const cadence = form.get("cadence");
  if (cadence) input.cadence = cadence;
  const weekday = form.get("weekday");
  if (weekday !== null) input.weekday = weekday === "" ? null : weekday;
  const hour = form.get("deliveryHour");
  if (hour) input.deliveryHour = /^\d{1,2}$/.test(hour) ? Number(hour) : hour;
  const zone = form.get("timeZone");
  if (zone) input.timeZone = zone.trim();
  return input;
}

/** The platform's guess of the visitor's zone (`request.cf.timezone`), when it reports one. */
export const visitorTimeZone = (request: Request): string | null => {
  const cf = (request as Request & { cf?: { timezone?: unknown } }).cf;
  return typeof cf?.timezone === "string" ? cf.timezone : null;
};

/**
 * `input` over `current` (or the defaults), or a 400 `invalid_request` naming each bad field.
 * Nothing has been stored when it throws.
 */
export function checkedPreferences(
  input: PreferencesInput,
  topics: Topic[],
  current: Preferences | null,
  visitorZone: string | null,
): Preferences {
  const check = applyPreferences(current ?? defaultPreferences(visitorZone), input, topics);
  if (!check.ok)
    throw new ApiError(400, "invalid_request", "The request is not valid.", check.issues);
  return check.preferences;
}
