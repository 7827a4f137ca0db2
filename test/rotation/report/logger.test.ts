/** The progress logger: whole messages redacted before they are split into lines (rotation/report/logger.ts). */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { IdleTimer, MAX_MESSAGE_CHARS, MESSAGE_IDLE_MS, createLogger } from "../../../rotation/report/logger";
import { MAX_LOG_LINE_CHARS } from "../../../rotation/report/textBounds";
import { PLANTED_RAW, StringSink } from "../fakes";

const SIGNATURE = "c2VjcmV0LXNpZ25hdHVyZS10aGF0LWlzLWxvbmctZW5vdWdoLXRvLXNwbGl0==";
const TOKEN = `gw1&202507151200&${SIGNATURE}`;

function engine(idleTimer?: IdleTimer) {
    const progress = new StringSink();
    const problems = new StringSink();
    const stream = createLogger(progress, problems, idleTimer).forStack("dev").engine();
    return { stream, progress, problems };
}

/** Idle timers the test fires itself: the delay of each one scheduled and not yet fired or cancelled. */
function manualIdleTimers() {
    const pending = new Set<{ flush: () => void; ms: number }>();
    const schedule: IdleTimer = (flush, ms) => {
        const timer = { flush, ms };
        pending.add(timer);
        return { cancel: () => pending.delete(timer) };
    };
    const fire = (): void => {
        for (const timer of [...pending]) {
            pending.delete(timer);
            timer.flush();
        }
    };
    return { schedule, fire, delays: () => [...pending].map((timer) => timer.ms) };
}

/** Whether any 16-character piece of the signature is in `text`, or in it with line breaks and prefixes removed. */
function leaks(text: string): boolean {
    const joined = text.replace(/\n(\[dev\] )?[ \t]*/g, "");
    return Array.from({ length: SIGNATURE.length - 15 }, (_, index) => SIGNATURE.slice(index, index + 16)).some(
        (piece) => text.includes(piece) || joined.includes(piece),
    );
}

describe("logger", () => {
    it("redacts a token split over lines and over chunks of the engine's output", () => {
        const { stream, progress, problems } = engine();
        stream.stdout(`error: the gateway said\n  auth: GatewayKey ${TOKEN.slice(0, 30)}`);
        stream.stdout(`\n  ${TOKEN.slice(30, 50)}`);
        stream.stdout(`\n  ${TOKEN.slice(50)}\n\nUpdating (dev)\n`);
        stream.stderr(`warning: ${TOKEN.slice(0, 45)}\n${TOKEN.slice(45)}\n`);
        stream.end();
        for (const text of [progress.text, problems.text]) {
            assert.ok(!leaks(text), text);
        }
        assert.match(progress.text, /^\[dev\] error: the gateway said$/m);
        assert.match(progress.text, /^\[dev\] {3}auth: GatewayKey \[secret\]$/m);
        assert.match(progress.text, /^\[dev\] Updating \(dev\)$/m);
        assert.match(problems.text, /^\[dev\] warning: \[secret\]$/m);
    });

    it("writes each message once it is whole (at a blank line), and the rest at the end", () => {
        const { stream, progress } = engine();
        stream.stdout("Previewing update (dev)\n\n");
        assert.equal(progress.text, "[dev] Previewing update (dev)\n[dev] \n");
        stream.stdout("Resources:\n    2 unchanged");
        assert.equal(progress.text, "[dev] Previewing update (dev)\n[dev] \n", "held until whole");
        stream.end();
        assert.equal(progress.text, "[dev] Previewing update (dev)\n[dev] \n[dev] Resources:\n[dev]     2 unchanged\n");
    });

    it("writes the whole lines held once the engine has been quiet a moment, so a CI log stays live", () => {
        const timers = manualIdleTimers();
        const { stream, progress } = engine(timers.schedule);
        stream.stdout("Updating (dev)\n    waiting for the rollout");
        assert.equal(progress.text, "");
        assert.deepEqual(timers.delays(), [MESSAGE_IDLE_MS], "one timer for the quiet, of MESSAGE_IDLE_MS");
        timers.fire();
        assert.equal(progress.text, "[dev] Updating (dev)\n", "the whole line, not the partial one");
        stream.end();
        assert.equal(progress.text, "[dev] Updating (dev)\n[dev]     waiting for the rollout\n");
    });

    it("restarts the quiet on every write, and leaves no timer once the stream ends", () => {
        const timers = manualIdleTimers();
        const { stream, progress } = engine(timers.schedule);
        stream.stdout("one\n");
        stream.stdout("two\n");
        stream.stdout("thr");
        assert.deepEqual(timers.delays(), [MESSAGE_IDLE_MS], "the earlier timers were cancelled");
        stream.end();
        assert.deepEqual(timers.delays(), []);
        assert.equal(progress.text, "[dev] one\n[dev] two\n[dev] thr\n");
    });

    it("sets no timer while no whole line is held", () => {
        const timers = manualIdleTimers();
        const { stream } = engine(timers.schedule);
        stream.stdout("partial");
        stream.stdout("done\n\n");
        assert.deepEqual(timers.delays(), []);
    });

    it("does not hold more than a bounded message", () => {
        const { stream, progress } = engine();
        const line = `${"resource updated ".repeat(5)}\n`;
        const lines = Math.ceil(MAX_MESSAGE_CHARS / line.length) + 1;
        stream.stdout(`${line.repeat(lines)}last`);
        assert.equal(progress.text.split("\n").length - 1, lines, "every whole line is written once the bound is passed");
        stream.end();
        assert.ok(progress.text.endsWith("[dev] last\n"));
    });

    it("redacts a whole progress message before splitting it", () => {
        const progress = new StringSink();
        const problems = new StringSink();
        const log = createLogger(progress, problems);
        log.warn(`could not verify:\n${TOKEN.slice(0, 40)}\n${TOKEN.slice(40)}`);
        log.forStack("dev").info(
            `base64:\n${Buffer.from(`GatewayKey ${TOKEN}`)
                .toString("base64")
                .replace(/(.{64})(?=.)/g, "$1\n")}`,
        );
        assert.ok(!leaks(problems.text), problems.text);
        assert.ok(!/c2VjcmV0|R2F0ZXdheUtleS/.test(progress.text), progress.text);
    });
});

describe("the progress logger's lines and streams", () => {
    it("prefixes whole lines of engine output, joining chunks and flushing the last partial line", () => {
        const progress = new StringSink();
        const problems = new StringSink();
        const engine = createLogger(progress, problems).forStack("dev").engine();
        engine.stdout("Upda");
        engine.stdout("ting (dev)\r\n  + token cre");
        engine.stderr("warning: slow\n");
        engine.stdout(`ated ${PLANTED_RAW}`);
        engine.end();
        assert.equal(progress.text, `[dev] Updating (dev)\n[dev]   + token created [secret]\n`);
        assert.equal(problems.text, "[dev] warning: slow\n");
    });
    it("writes warnings to the problems stream", () => {
        const progress = new StringSink();
        const problems = new StringSink();
        const log = createLogger(progress, problems);
        log.info("one\ntwo");
        log.forStack("prod").warn("locked");
        assert.equal(progress.text, "one\ntwo\n");
        assert.equal(problems.text, "[prod] warning: locked\n");
    });
});

describe("the logger's bounds: linear in the engine's output, whatever its chunks", () => {
    const MIB = 1024 * 1024;
    /** The lines written, without their prefix. */
    const lines = (text: string) => text.split("\n").slice(0, -1);

    it("keeps the start of a 1 MiB line written a character at a time, redacted, and says how much was cut", () => {
        const { stream, progress } = engine();
        const line = `${TOKEN} ${"x".repeat(MIB)}`;
        for (const char of line) {
            stream.stdout(char);
        }
        stream.stdout("\nnext\n");
        stream.end();
        const written = lines(progress.text);
        assert.equal(written.length, 2);
        assert.ok(written[0].length <= "[dev] ".length + MAX_LOG_LINE_CHARS, `${written[0].length}`);
        assert.ok(written[0].startsWith("[dev] [secret] xxx"), written[0].slice(0, 40));
        const kept = written[0].slice("[dev] [secret]".length, written[0].indexOf("…"));
        assert.ok(written[0].endsWith(`… [${MIB + 1 - kept.length} characters cut]`), "every character cut is counted");
        assert.equal(written[1], "[dev] next");
        assert.ok(!leaks(progress.text));
    });

    for (const [what, text] of [
        ["1 MiB of blank lines", "\n".repeat(MIB)],
        ["1 MiB of '::' lines", "::add-mask::x\n".repeat(MIB / 14)],
        [
            "1 MiB of wrapped base64",
            Buffer.alloc((MIB * 3) / 4, 1)
                .toString("base64")
                .replace(/(.{76})/g, "$1\n"),
        ],
        ["1 MiB of blanks and carriage returns, no line end", " \r\t".repeat(MIB / 3)],
    ] as const) {
        it(`writes ${what} in 1 KiB chunks, no line over the bound`, () => {
            const { stream, progress } = engine();
            for (let start = 0; start < text.length; start += 1024) {
                stream.stdout(text.slice(start, start + 1024));
            }
            stream.end();
            assert.ok(lines(progress.text).every((line) => line.length <= "[dev] ".length + MAX_LOG_LINE_CHARS));
        });
    }

    it("writes the same lines however the output is chunked, and never a token (property)", () => {
        const piece = fc.constantFrom(
            "Updating (dev)",
            "\n",
            "\n\n",
            "  ",
            "\r\n",
            `GatewayKey ${TOKEN}`,
            `${TOKEN.slice(0, 30)}\n  ${TOKEN.slice(30)}`,
            "x",
        );
        fc.assert(
            fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(40), { maxLength: 10 }), (parts, cuts) => {
                const text = parts.join("");
                const whole = engine();
                whole.stream.stdout(text);
                whole.stream.end();
                const chunked = engine();
                let start = 0;
                for (const cut of [...cuts, text.length]) {
                    chunked.stream.stdout(text.slice(start, start + cut));
                    start += cut;
                }
                chunked.stream.stdout(text.slice(start));
                chunked.stream.end();
                assert.equal(chunked.progress.text, whole.progress.text);
                assert.ok(!leaks(whole.progress.text), whole.progress.text);
            }),
            { numRuns: 500 },
        );
    });

    it("cuts a progress message's line to the bound after redacting it whole", () => {
        const progress = new StringSink();
        createLogger(progress, new StringSink()).info(`${"y".repeat(MIB)}${TOKEN}\nshort`);
        const written = lines(progress.text);
        assert.equal(written.length, 2);
        assert.ok(written[0].length <= MAX_LOG_LINE_CHARS);
        assert.equal(written[1], "short");
    });

    it("holds at most one bounded line however long a line is (the bound is MAX_MESSAGE_CHARS)", () => {
        const { stream, progress } = engine();
        stream.stdout("z".repeat(MAX_MESSAGE_CHARS * 4));
        stream.end();
        const [line] = lines(progress.text);
        assert.ok(line.length <= "[dev] ".length + MAX_LOG_LINE_CHARS);
        assert.match(line, /^\[dev\] z+… \[\d+ characters cut\]$/);
    });
});
