// The desk's Readers page takes a whole list as a plain multipart form and shows its progress.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE } from "../fixtures/api";
import { desk, signIn } from "../fixtures/desk";
import { runImport } from "./import-fixture";
import { EXPORTS } from "./tool-exports";

function upload(cookie: string, fields: Record<string, string>, csv: string) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set("file", new File([csv], "kit-export.csv", { type: "text/csv" }));
  return SELF.fetch(`${BASE}/desk/readers/imports`, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: cookie, Origin: BASE },
    body: form,
  });
}

describe("the desk's list import", { timeout: 60_000 }, () => {
  it("uploads an export with no JavaScript and shows the import's progress and refused rows", async () => {
    const cookie = await signIn();
    const page = await (await desk("/desk/readers", cookie)).text();
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toContain('action="/desk/readers/imports"');

    const response = await upload(
      cookie,
      {
        source: "Kit",
        attestation: "Confirmed by Kit's double opt-in form.",
        topics: "Security: security",
      },
      EXPORTS.kit,
    );
    expect(response.status).toBe(303);
    const location = response.headers.get("Location") ?? "";
    expect(location).toMatch(/^\/desk\/readers\/imports\/[0-9A-Z]{26}$/);
    await runImport(location.split("/").at(-1)!);

    const progress = await (await desk(location, cookie)).text();
    expect(progress).toContain("<strong>done</strong>");
    expect(progress).toMatch(/Added<\/th><td>1</);
    expect(progress).toMatch(/Suppressed \(never mailed\)<\/th><td>2</);
    expect(progress).toContain(`${location}/refused.csv`);
    const refused = await (await desk(`${location}/refused.csv`, cookie)).text();
    expect(refused).toContain("3,kit.unconfirmed@example.com,never confirmed in Kit");
    expect(await (await desk("/desk/readers", cookie)).text()).toContain(
      "kit-export.csv</a> from Kit: done, 4 of 4 rows",
    );
  });

  it("says what is wrong next to the form, and imports nothing", async () => {
    const cookie = await signIn();
    const response = await upload(cookie, { source: "Kit" }, EXPORTS.kit);
    expect(response.status).toBe(303);
    const page = await (await desk(response.headers.get("Location")!, cookie)).text();
    expect(page).toContain('role="alert"');
    expect(page).toContain("consent.attestation is required");
    // Only the first test's import is listed: this one stored nothing.
    expect(page.match(/kit-export\.csv<\/a>/g) ?? []).toHaveLength(1);
  });
});
