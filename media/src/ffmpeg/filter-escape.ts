/**
 * Escapes a value for use inside an ffmpeg -filter_complex graph. Two parsers read it: the filter
 * option parser (special: `\ ' :`) and then the graph parser (special: `\ ' [ ] , ;`), so we
 * escape in that order (ffmpeg-filters(1), "Notes on filtergraph escaping").
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}
