/** One input named on the command line, after glob expansion. */
export interface FileUnitRef {
  /** The path as the user wrote it (or `-`), for messages and dead letters. */
  display: string;
  /** Absolute path; null for standard input. */
  path: string | null;
}
