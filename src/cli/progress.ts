/** Where progress goes: standard error, and whether it is a terminal. */
export interface ProgressIo {
  /** Writes to standard error. */
  readonly err: (text: string) => void;
  /** Whether standard error is a terminal (progress is shown only then). @default false */
  readonly errIsTerminal?: () => boolean;
}

/**
 * Progress of a long run (a large synth, a diff against a git base), on one line of standard
 * error that each step overwrites, cleared at the end. Only on a terminal: a CI log or a pipe
 * gets nothing, so output stays byte-for-byte what the command prints.
 */
export class Progress {
  private shown = false;
  private readonly on: boolean;
  private readonly started = Date.now();

  constructor(private readonly io: ProgressIo) {
    this.on = io.errIsTerminal?.() === true;
  }

  /** Shows what the run is doing now. */
  public step(text: string): void {
    if (!this.on) return;
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    this.io.err(`\r\x1b[2K${text}… (${seconds} s)`);
    this.shown = true;
  }

  /** Clears the progress line (before the command's own output). */
  public done(): void {
    if (this.on && this.shown) this.io.err('\r\x1b[2K');
    this.shown = false;
  }
}
