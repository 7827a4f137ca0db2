/** The emulators' notion of "now": the real clock plus a movable offset, to emulate clock skew and the passing of days. */
export class EmulatorClock {
    private offsetMs = 0;

    now(): Date {
        return new Date(Date.now() + this.offsetMs);
    }

    /** Sets how far the emulated clock is ahead of the real one (negative: behind). */
    setOffset(ms: number): void {
        this.offsetMs = ms;
    }

    /** Moves the emulated clock forward. */
    advance(ms: number): void {
        this.offsetMs += ms;
    }
}
