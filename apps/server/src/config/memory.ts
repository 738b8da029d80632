/**
 * redis.conf memory units (util.c memtoull): "1k" = 1000, "1kb" = 1024, "1m", "1mb", "1g", "1gb",
 * case-insensitive, no sign, no fraction. Returns undefined when the text is not a memory value.
 */
export function parseMemory(text: string): number | undefined {
  const match = /^(\d+)(k|kb|m|mb|g|gb|b)?$/i.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? 'b').toLowerCase();
  const multiplier =
    unit === 'k'
      ? 1000
      : unit === 'kb'
        ? 1024
        : unit === 'm'
          ? 1e6
          : unit === 'mb'
            ? 1024 ** 2
            : unit === 'g'
              ? 1e9
              : unit === 'gb'
                ? 1024 ** 3
                : 1;
  const bytes = value * multiplier;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
