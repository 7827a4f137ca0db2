/** The status recorded for a request its client gave up on before any answer was sent. */
export const NO_ANSWER = 0;

/** One request an emulator answered, or left unanswered until its client closed the connection. */
export interface RequestRecord {
    server: "arm" | "entra";
    method: string;
    /** Path without the query string. */
    path: string;
    /** The HTTP status sent, or {@link NO_ANSWER}. */
    status: number;
    /** When the request arrived (real clock, ms since the epoch), to measure retry delays. */
    at: number;
}

/** Every request both emulators answered, in arrival order, so tests can assert "no ARM call". */
export class RequestLog {
    readonly entries: RequestRecord[] = [];

    constructor(private readonly onRecord?: (record: RequestRecord) => void) {}

    add(record: RequestRecord): void {
        this.entries.push(record);
        this.onRecord?.(record);
    }

    /** The ARM requests, optionally only those whose path ends with `suffix` (e.g. `/generateToken`). */
    arm(suffix?: string): RequestRecord[] {
        return this.entries.filter((r) => r.server === "arm" && (suffix === undefined || r.path.endsWith(suffix)));
    }

    clear(): void {
        this.entries.length = 0;
    }
}
