/**
 * Retry delays with exponential growth and full jitter, mirroring internal/backoff: the n-th
 * delay is uniform in [0, min(max, min·2^n)], so clients reconnecting after one outage spread
 * out instead of arriving together.
 */
export class Backoff {
  private attempt = 0

  /**
   * @param minMs the ceiling of the first delay
   * @param maxMs the cap of every delay
   * @param random a number in [0, 1)
   */
  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number,
  ) {}

  /** The delay before the next retry, in milliseconds. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30))
    this.attempt++
    return this.random() * ceiling
  }

  /** Starts over after a success. */
  reset(): void {
    this.attempt = 0
  }
}
