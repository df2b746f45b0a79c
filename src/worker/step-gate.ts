/**
 * Pause / resume / cancel between two steps of whatever the worker is training: the pipeline or
 * a comparison. The calls arrive as separate messages while the run is awaiting its next step.
 */
export class StepGate {
  private paused = false;
  private cancelled = false;
  private wake: (() => void) | null = null;

  /** At the start of a run: neither paused nor cancelled. */
  open(): void {
    this.paused = false;
    this.cancelled = false;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  cancel(): void {
    this.cancelled = true;
    this.wake?.();
  }

  /** Between steps: waits while paused; false once cancelled. */
  readonly beforeStep = async (): Promise<boolean> => {
    while (this.paused && !this.cancelled) await new Promise<void>((resolve) => (this.wake = resolve));
    return !this.cancelled;
  };
}
