// Hands a downloaded body to the browser as a file. Exports come through fetch (the session
// token travels in a header, not in a link), so the page saves the blob itself.

/** The file name the server gave in Content-Disposition, or the fallback. */
export function fileNameOf(res: Response, fallback: string): string {
  return /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? fallback;
}

export function saveBlob(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the browser reads the object URL after click() returns
  window.setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}
