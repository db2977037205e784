/**
 * `INVALID_CONTENT`: the prescription could not be read, with where and why.
 *
 * `path` points into the content (a JSON path such as `entry[3].resource.subject`, or an XML path such as
 * `/ParentPrescription/recordTarget`) so a supplier can find the fault without guessing.
 */
export class InvalidContentError extends Error {
  public readonly code = 'INVALID_CONTENT';
  public readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${message} (at ${path})`, options);
    this.name = 'InvalidContentError';
    this.path = path;
  }
}
