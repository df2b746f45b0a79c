/** Saves bytes or text as a file through the browser's download. */
export function download(content: Uint8Array | string, fileName: string, type: string): void {
  const part = typeof content === 'string' ? content : new Uint8Array(content); // a copy with a plain ArrayBuffer
  const url = URL.createObjectURL(new Blob([part], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // Kept a while: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
