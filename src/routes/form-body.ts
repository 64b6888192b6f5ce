// Reads an HTML form post (urlencoded or multipart), size-limited, as URLSearchParams.
import { ApiError } from "../errors";
import { readTextLimited } from "./json-body";

// A sign-up or unsubscribe form is a few hundred bytes.
export const MAX_FORM_BODY_BYTES = 8 * 1024;

export async function readFormBody(
  request: Request,
  options: { allowEmpty?: boolean; maxBytes?: number } = {},
): Promise<URLSearchParams> {
  const contentType = request.headers.get("Content-Type") ?? "";
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  const text = await readTextLimited(request, options.maxBytes ?? MAX_FORM_BODY_BYTES);
  if (mediaType === "application/x-www-form-urlencoded") return new URLSearchParams(text);
  if (mediaType === "multipart/form-data") {
    try {
      const form = await new Response(text, {
        headers: { "Content-Type": contentType },
      }).formData();
      const params = new URLSearchParams();
      form.forEach((value, key) => {
        if (typeof value === "string") params.append(key, value);
      });
      return params;
    } catch {
      throw new ApiError(400, "invalid_form", "The form data could not be read.");
    }
  }
  if (options.allowEmpty && text.length === 0) return new URLSearchParams();
  throw new ApiError(
    415,
    "unsupported_media_type",
    "Send the form as application/x-www-form-urlencoded.",
  );
}
