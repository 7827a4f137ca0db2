/** The progress logger: whole messages redacted before they are split into lines (rotation/report/logger.ts). */
import { strict as assert } from "node:assert";
import { MAX_MESSAGE_CHARS, MESSAGE_IDLE_MS, createLogger } from "../../../rotation/report/logger";
import { PLANTED_RAW, StringSink } from "../fakes";

const SIGNATURE = "c2VjcmV0LXNpZ25hdHVyZS10aGF0LWlzLWxvbmctZW5vdWdoLXRvLXNwbGl0==";
const TOKEN = `gw1&202507151200&${SIGNATURE}`;

function engine() {
    const progress = new StringSink();
    const problems = new StringSink();
    const stream = createLogger(progress, problems).forStack("dev").engine();
    return { stream, progress, problems };
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

    it("writes the whole lines held once the engine has been quiet a moment, so a CI log stays live", async () => {
        const { stream, progress } = engine();
        stream.stdout("Updating (dev)\n    waiting for the rollout");
        assert.equal(progress.text, "");
        await new Promise((resolve) => setTimeout(resolve, MESSAGE_IDLE_MS + 200));
        assert.equal(progress.text, "[dev] Updating (dev)\n", "the whole line, not the partial one");
        stream.end();
        assert.equal(progress.text, "[dev] Updating (dev)\n[dev]     waiting for the rollout\n");
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
