// The connection gate: never more than N calls open at once, every call done, errors released.
import { describe, expect, it } from "vitest";
import { createConnectionGate } from "../../src/mail/connection-gate";

describe("the connection gate", () => {
  it("keeps at most six calls open while twenty-four are asked for at once", async () => {
    const gate = createConnectionGate(6);
    let open = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        gate(async () => {
          open++;
          most = Math.max(most, open);
          await new Promise((resolve) => setTimeout(resolve, 5 + (i % 3)));
          open--;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(most).toBe(6);
  });

  it("gives a failed call's permit to the next caller", async () => {
    const gate = createConnectionGate(1);
    await expect(gate(async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await gate(async () => "next")).toBe("next");
  });
});
