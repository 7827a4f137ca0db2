/** What one log line, report field and report may carry, and how text is cut (rotation/report/textBounds.ts). */
import { strict as assert } from "node:assert";
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { REDACTED } from "../../../rotation/report/redaction";
import { MAX_REPORT_FIELD_CHARS, cutMarker, cutText, redactAndCut } from "../../../rotation/report/textBounds";

const SIGNATURE = createHmac("sha512", "k").update("gw1").digest("base64");
const TOKEN = `gw1&202507151200&${SIGNATURE}`;

describe("text bounds", () => {
    it("leaves text within the bound as it is", () => {
        assert.equal(cutText("short", 5), "short");
        assert.equal(cutText("", 0), "");
    });

    it("cuts longer text to the bound, saying how many characters it dropped", () => {
        const text = "x".repeat(1000);
        const cut = cutText(text, 100);
        assert.ok(cut.length <= 100 && cut.length > 90, `${cut.length}`);
        const kept = cut.slice(0, cut.indexOf("…"));
        assert.equal(cut, `${kept}${cutMarker(text.length - kept.length)}`, "kept and dropped make the whole");
    });

    it("counts every character cut when a text is cut twice", () => {
        const text = "w".repeat(5000);
        const twice = cutText(cutText(text, 1000), 100);
        const kept = twice.slice(0, twice.indexOf("…"));
        assert.equal(twice, `${kept}${cutMarker(text.length - kept.length)}`);
    });

    it("never splits a surrogate pair or the [secret] marker", () => {
        for (let max = 30; max < 60; max++) {
            const emoji = cutText("😀".repeat(100), max);
            assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(emoji), `max ${max}: ${JSON.stringify(emoji)}`);
            const marked = cutText(`${REDACTED} `.repeat(20), max);
            assert.ok(/^(\[secret\] )*(\[secret\])?… \[/.test(marked), `max ${max}: ${marked}`);
        }
    });

    it("bounds any text, keeps its start, and is the text itself when it fits (property)", () => {
        fc.assert(
            fc.property(fc.string({ unit: "binary", maxLength: 500 }), fc.integer({ min: 40, max: 300 }), (text, max) => {
                const cut = cutText(text, max);
                assert.ok(cut.length <= max);
                if (text.length <= max) {
                    assert.equal(cut, text);
                } else {
                    assert.ok(text.startsWith(cut.slice(0, cut.lastIndexOf("… ["))));
                }
            }),
        );
    });

    it("redacts before it cuts: a token across the bound leaves no piece of its signature (property)", () => {
        fc.assert(
            fc.property(
                fc.nat(200),
                fc.constantFrom(TOKEN, `GatewayKey ${TOKEN}`, Buffer.from(TOKEN).toString("base64")),
                (before, form) => {
                    const text = `${"word ".repeat(before)}${form} and more`;
                    const cut = redactAndCut(text, 120 + before);
                    assert.ok(!cut.includes(SIGNATURE.slice(0, 8)) && !cut.includes(form.slice(-12, -4)), cut);
                },
            ),
        );
    });

    it("redacts and cuts 1 MiB to one field's bound", () => {
        const cut = redactAndCut(`${TOKEN} ${"a".repeat(1024 * 1024)}`, MAX_REPORT_FIELD_CHARS);
        assert.equal(cut.length, MAX_REPORT_FIELD_CHARS);
        assert.ok(cut.startsWith(`${REDACTED} aaa`));
        assert.match(cut, /… \[\d+ characters cut\]$/);
    });
});
