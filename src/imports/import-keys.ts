// The KV keys of list imports (SUBSCRIBERS namespace): one key per import, newest first, so the
// desk lists recent imports with one list call. Written once, when the upload is stored.
import { IMPORT_KEEP_MS } from "./list-import";

const PREFIX = "v1:import:";
const MAX_MS = 9_999_999_999_999;

export type ImportKeyMetadata = { fileName: string; createdAt: string };

export const importKeys = {
  prefix: PREFIX,
  /** `v1:import:<9999999999999 − created ms, 13 digits>:<id>` */
  import: (id: string, createdMs: number) =>
    `${PREFIX}${String(MAX_MS - createdMs).padStart(13, "0")}:${id}`,
  idOf: (key: string) => key.slice(key.lastIndexOf(":") + 1),
};

export const IMPORT_KEY_TTL_SECONDS = Math.round(IMPORT_KEEP_MS / 1000);
