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

/**
 * Runs the import's alarms until it is done (its own alarms may fire too: a step already running is
 * not run twice). Fails with the import's last error if it stops moving.
 */
export async function runImport(id: string, maxCalls = 20_000): Promise<void> {
  const stub = importObject(id);
  for (let call = 0; call < maxCalls; call++) {
    const progress = await stub.progress();
    if (progress?.state !== "running") return;
    if (!(await runDurableObjectAlarm(stub)))
      await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`import ${id} did not finish: ${(await stub.progress())?.error}`);
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
