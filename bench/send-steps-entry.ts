// The send's steps one at a time, for bench/send-steps.mjs (never deployed): each request runs one
// step for N readers in chunks of 100, on the bench's 30-story digest (35 KB an email) or at the
// field maxima, and the driver reads workerd's CPU around it.
import { Resend } from "resend";
import { groupSections } from "../src/digest/compile-digest";
import type { DigestItem } from "../src/digest/digest-schema";
import { personaliseChunk } from "../src/digest/personalise-chunk";
import { batchBody, writeBody } from "../src/mail/batch-body";
import type { OutgoingEmail } from "../src/mail/mailer";
import { postBatch } from "../src/mail/resend-batch";
import { createTokenSigner } from "../src/subscribers/reader-token";
import { renderDigestEmailParts, type DigestEmailParts } from "../templates/digest-email";
import { benchText } from "./bench-articles";

type Env = { SINK_URL: string };

const site = {
  siteTitle: "Tidings",
  siteUrl: "https://tidings.bench",
  postalAddress: "Tidings, 1 Example Street, Springfield, USA",
  mailFrom: "Tidings <digest@tidings.example>",
};
const TOPICS = ["ai", "web", "security", "cloud"];

function digestOf(maxima: boolean) {
  const at = "2031-01-15T06:00:00.000Z";
  const items: DigestItem[] = Array.from({ length: 30 }, (_, i) => {
    const { title, summary } = benchText(i, maxima);
    return {
      id: `a${i}`,
      url: `https://bench.example/1/${title.slice(0, 80).toLowerCase().replace(/\W+/g, "-")}`,
      title,
      summary,
      source: "bench.example",
      topics: [TOPICS[i % TOPICS.length]!],
      publishedAt: at,
      createdAt: at,
      updatedAt: at,
      editor: "bench",
    };
  });
  return {
    id: "2031-01-15",
    subject: `Tidings: ${items[0]!.title}`.slice(0, 120),
    title: "Tidings for Wednesday 15 January 2031",
    sections: groupSections(items),
    note: null,
    issueNumber: 42,
  };
}

const signer = createTokenSigner("bench-signing-secret");
const sinkCall = (env: Env) => ({
  baseUrl: env.SINK_URL,
  apiKey: "re_bench",
  userAgent: "resend-node:bench",
});
const rendered = new Map<boolean, DigestEmailParts>();
const partsOf = (maxima: boolean) => {
  let parts = rendered.get(maxima);
  if (!parts) rendered.set(maxima, (parts = renderDigestEmailParts(digestOf(maxima), site)));
  return parts;
};

const chunkOf = (chunk: number) =>
  Array.from(
    { length: 100 },
    (_, i) => `reader-${String(chunk * 100 + i).padStart(7, "0")}@bench.example`,
  );

// What the resend SDK's batch.send sent for each email (its parseEmailToApiOptions).
const sdkShape = (email: OutgoingEmail) => ({
  from: email.from,
  headers: email.headers,
  html: email.html,
  subject: email.subject,
  tags: email.tags,
  text: email.text,
  to: [email.to],
});

async function step(name: string, parts: DigestEmailParts, chunk: number, env: Env) {
  if (name === "sign") {
    await Promise.all(chunkOf(chunk).map((to) => signer.sign("unsubscribe", to, new Date())));
    return 0;
  }
  const emails = await personaliseChunk(
    () => ({ parts }),
    site,
    signer,
    new Date(),
    { digestId: "2031-01-15", chunk },
    chunkOf(chunk),
  );
  switch (name) {
    case "personalise":
      return emails.length;
    case "sdk-json":
      // The SDK's JSON.stringify of the batch, then fetch's encoding of the string body.
      return new TextEncoder().encode(JSON.stringify(emails.map(sdkShape))).length;
    case "body": {
      let bytes = 0;
      await writeBody(batchBody(emails), async (slice) => void (bytes += slice.length));
      return bytes;
    }
    case "post-sdk": {
      const resend = new Resend("re_bench", { baseUrl: env.SINK_URL });
      await resend.batch.send(emails.map(sdkShape), { idempotencyKey: `k${chunk}` });
      return 0;
    }
    case "post": {
      await postBatch(sinkCall(env), emails, `k${chunk}`);
      return 0;
    }
    case "verify": {
      // The sink answers the SHA-256 of the body it received: the bytes the stream wrote.
      const reply = await postBatch(sinkCall(env), emails, `k${chunk}`);
      const received = (reply.data as { data: { id: string }[] }).data[0]!.id;
      const expected = new TextEncoder().encode(JSON.stringify(emails.map(sdkShape)));
      const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", expected));
      const hex = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
      if (received !== hex) throw new Error(`chunk ${chunk}: the sink received other bytes`);
      return expected.length;
    }
  }
  throw new Error(`no step ${name}`);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const maxima = url.searchParams.get("maxima") === "1";
    const name = url.searchParams.get("step") ?? "";
    if (name === "render") {
      const times = Number(url.searchParams.get("times") ?? 10);
      for (let i = 0; i < times; i++) renderDigestEmailParts(digestOf(maxima), site);
      return Response.json({ rendered: times });
    }
    const parts = partsOf(maxima);
    const chunks = Number(url.searchParams.get("readers") ?? 100) / 100;
    // Six chunks at once, as an invocation's six connections allow.
    let bytes = 0;
    for (let c = 0; c < chunks; c += 6) {
      const batch = Array.from({ length: Math.min(6, chunks - c) }, (_, i) =>
        step(name, parts, c + i, env),
      );
      for (const n of await Promise.all(batch)) bytes += n;
    }
    const size = parts.html[0].length + parts.html[1].length + parts.text.join("").length;
    return Response.json({ bytes, emailChars: size });
  },
} satisfies ExportedHandler<Env>;
