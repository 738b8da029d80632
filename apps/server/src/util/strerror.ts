/** strerror()'s texts (glibc) for the errors byor reports as redis-server reports them. */
const MESSAGES: Record<string, string> = {
  EACCES: 'Permission denied',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
};

/** The text redis-server prints for the system error `code`, or `fallback` for another one. */
export function strerror(code: string | undefined, fallback: string): string {
  return (code !== undefined ? MESSAGES[code] : undefined) ?? fallback;
}
