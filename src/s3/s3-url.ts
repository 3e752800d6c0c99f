/** `s3://bucket/some/prefix` → bucket and prefix (without a leading slash). */
export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  return m ? { bucket: m[1] ?? '', prefix: m[2] ?? '' } : undefined;
}
