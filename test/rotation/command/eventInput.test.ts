import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { EventInputError, readEventInput } from "../../../rotation/command/eventInput";
import { MAX_EVENT_FILE_BYTES } from "../../../rotation/azure/expiryEvents";

describe("reading the --event input", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "event-input-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const noStdin = Readable.from([]);

    it("reads a file, and stdin for -", async () => {
        const file = path.join(dir, "events.json");
        writeFileSync(file, '[{"id":"1"}]');
        assert.equal(await readEventInput(file, noStdin), '[{"id":"1"}]');
        assert.equal(await readEventInput("-", Readable.from([Buffer.from('{"id"'), ':"2"}'])), '{"id":"2"}');
    });

    it("refuses more than one Event Grid delivery can hold, from a file or stdin", async () => {
        const file = path.join(dir, "big.json");
        writeFileSync(file, "x".repeat(MAX_EVENT_FILE_BYTES + 1));
        await assert.rejects(
            () => readEventInput(file, noStdin),
            (error: Error) => error instanceof EventInputError && /big\.json is larger than 1048576 bytes/.test(error.message),
        );
        await assert.rejects(
            () => readEventInput("-", Readable.from([Buffer.alloc(MAX_EVENT_FILE_BYTES), Buffer.alloc(1)])),
            /- \(stdin\) is larger than/,
        );
    });

    it("takes exactly as much as one Event Grid delivery can hold, from a file or stdin", async () => {
        const file = path.join(dir, "full.json");
        writeFileSync(file, "x".repeat(MAX_EVENT_FILE_BYTES));
        assert.equal((await readEventInput(file, noStdin)).length, MAX_EVENT_FILE_BYTES);
        const halves = [Buffer.alloc(MAX_EVENT_FILE_BYTES / 2, "y"), "y".repeat(MAX_EVENT_FILE_BYTES / 2)];
        assert.equal(await readEventInput("-", Readable.from(halves)), "y".repeat(MAX_EVENT_FILE_BYTES));
    });

    it("names a file it cannot read", async () => {
        await assert.rejects(
            () => readEventInput(path.join(dir, "missing.json"), noStdin),
            /--event .*missing\.json cannot be read: ENOENT/,
        );
    });
});
