/**
 * JSON text made safe to sit inside an HTML `<script>` element: no `<` (so no `</script>` or `<!--`
 * ends it early) and no line separators (which older parsers took for line ends inside strings).
 */
export function scriptSafe(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
