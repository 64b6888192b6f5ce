// Posts an export to POST /api/imports as an editor would (multipart: options, then the file), and
// runs the import's steps (its alarms) to the end.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { api } from "../fixtures/api";

export const ATTESTATION = "Readers confirmed by double opt-in on Substack between 2021 and 2026.";

export function importForm(
  csv: string | Uint8Array,
  options: unknown,
  fileName = "export.csv",
): FormData {
  const form = new FormData();
  form.set("options", typeof options === "string" ? options : JSON.stringify(options));
  form.set("file", new File([csv], fileName, { type: "text/csv" }));
  return form;
}

export async function postImport(
  csv: string | Uint8Array,
  options: unknown,
  init: RequestInit = {},
) {
  const response = await api("/api/imports", {
    method: "POST",
    body: importForm(csv, options),
    ...init,
  });
  return { response, body: (await response.json()) as any };
}

export const importObject = (id: string) => env.IMPORTS.get(env.IMPORTS.idFromName(id));

/** Runs the import's alarms until it is done; the number of steps it took. */
export async function runImport(id: string, maxSteps = 10_000): Promise<number> {
  const stub = importObject(id);
  for (let step = 0; step < maxSteps; step++) {
    const progress = await stub.progress();
    if (progress.state !== "running") return step;
    await runDurableObjectAlarm(stub);
  }
  throw new Error(`import ${id} did not finish in ${maxSteps} steps`);
}

export async function importProgress(id: string) {
  const response = await api(`/api/imports/${id}`);
  return ((await response.json()) as any).import;
}

/** A carried-consent import of `csv`, run to its end: its final progress. */
export async function importAll(csv: string, options: Record<string, unknown> = {}) {
  const { response, body } = await postImport(csv, {
    consent: { source: "Substack", attestation: ATTESTATION },
    ...options,
  });
  if (response.status !== 202)
    throw new Error(`import answered ${response.status}: ${JSON.stringify(body)}`);
  await runImport(body.import.id);
  return importProgress(body.import.id);
}
