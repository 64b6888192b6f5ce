// The form fields a reader chooses with (topics, cadence, delivery time and zone), shared by the
// sign-up page and the preferences page. Plain controls: no JavaScript, every one labelled.
import type { PreferencesInput, Topic } from "../src/subscribers/preferences";
import { WEEKDAYS } from "../src/subscribers/preferences";
import { html } from "./html";

const WEEKDAY_LABELS = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
];

let zones: string[] | null = null;
/** Every zone the runtime knows, UTC first; computed once per isolate. */
function timeZones(): string[] {
  if (!zones) {
    const known = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
    zones = ["UTC", ...(known ? known("timeZone").filter((zone) => zone !== "UTC") : [])];
  }
  return zones;
}

const errorOf = (errors: Record<string, string>, field: string) =>
  errors[field] ? html`<p id="${field}-error" class="error" role="alert">${errors[field]}</p>` : "";
const invalid = (errors: Record<string, string>, field: string) =>
  errors[field] ? html` aria-invalid="true" aria-describedby="${field}-error"` : "";

export function renderPreferenceFields(options: {
  topics: Topic[];
  /** What to show as chosen (a reader's current preferences, or what a rejected form sent). */
  choices: PreferencesInput;
  errors?: Record<string, string>;
}) {
  const { topics, choices } = options;
  const errors = options.errors ?? {};
  const chosen = Array.isArray(choices.topics) ? choices.topics : null;
  const cadence = choices.cadence === "weekly" ? "weekly" : "daily";
  const hour = typeof choices.deliveryHour === "number" ? choices.deliveryHour : 7;
  const zone = typeof choices.timeZone === "string" && choices.timeZone ? choices.timeZone : "UTC";
  const zoneList = timeZones().includes(zone) ? timeZones() : [zone, ...timeZones()];
  return html`<input type="hidden" name="choices" value="1" />
<fieldset${invalid(errors, "topics")}>
  <legend>Topics</legend>
  ${topics.map(
    (topic) =>
      html`<label><input type="checkbox" name="topics" value="${topic.slug}"${chosen === null || chosen.includes(topic.slug) ? html` checked` : ""} /> ${topic.label}</label> `,
  )}
  ${errorOf(errors, "topics")}
</fieldset>
<fieldset${invalid(errors, "cadence")}>
  <legend>How often</legend>
  <label><input type="radio" name="cadence" value="daily"${cadence === "daily" ? html` checked` : ""} /> Daily</label>
  <label><input type="radio" name="cadence" value="weekly"${cadence === "weekly" ? html` checked` : ""} /> Weekly</label>
  ${errorOf(errors, "cadence")}
</fieldset>
<label for="weekday">Day of a weekly digest</label>
<select id="weekday" name="weekday"${invalid(errors, "weekday")}>
  <option value="">(daily: no day)</option>
  ${WEEKDAYS.map((day, i) => html`<option value="${day}"${choices.weekday === day ? html` selected` : ""}>${WEEKDAY_LABELS[i]}</option>`)}
</select>
${errorOf(errors, "weekday")}
<label for="deliveryHour">Delivery time</label>
<select id="deliveryHour" name="deliveryHour"${invalid(errors, "deliveryHour")}>
  ${Array.from({ length: 24 }, (_, h) => html`<option value="${h}"${h === hour ? html` selected` : ""}>${String(h).padStart(2, "0")}:00</option>`)}
</select>
${errorOf(errors, "deliveryHour")}
<label for="timeZone">Time zone</label>
<select id="timeZone" name="timeZone"${invalid(errors, "timeZone")}>
  ${zoneList.map((name) => html`<option${name === zone ? html` selected` : ""}>${name}</option>`)}
</select>
${errorOf(errors, "timeZone")}`;
}
