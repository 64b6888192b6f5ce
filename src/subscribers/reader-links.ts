// The links every email to a confirmed reader carries. One signed unsubscribe token opens both: it
// says "this reader, by their own link", which is all the preferences pages need too.

export type ReaderLinks = { unsubscribeUrl: string; preferencesUrl: string };

export function readerLinks(siteUrl: string, unsubscribeToken: string): ReaderLinks {
  return {
    unsubscribeUrl: `${siteUrl}/unsubscribe?token=${unsubscribeToken}`,
    preferencesUrl: `${siteUrl}/preferences?token=${unsubscribeToken}`,
  };
}
