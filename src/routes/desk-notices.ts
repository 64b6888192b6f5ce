// The one-line notices a desk page shows after a redirect: fixed texts chosen by key, so nothing a
// link carries is ever shown on the page.

const NOTICES: Record<string, string> = {
  note: "The note is saved.",
  test: "The test email is sent.",
  posted: "The article is posted.",
  updated: "The article is saved.",
  deleted: "The article is deleted.",
  released: "The digest is released: its send has started.",
  redriven: "The failed readers are being sent the digest again.",
  resumed: "Sending carries on: the sends that waited for the quota are moving again.",
  erased: "The reader is erased.",
  imported: "The addresses are imported: each new one gets a confirmation email.",
};

export const deskNotice = (key: string | undefined) => (key ? (NOTICES[key] ?? null) : null);
