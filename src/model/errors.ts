/** A model file that cannot be used, with the file it came from, so the UI can say which. */
export class ModelLoadError extends Error {
  readonly file?: string;

  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'ModelLoadError';
    this.file = file;
  }
}
