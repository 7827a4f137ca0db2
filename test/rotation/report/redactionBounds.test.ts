/**
 * Redaction in linear time, and its properties over arbitrary text (rotation/report/redaction.ts).
 * Each 1 MiB input below is a shape the third security review found (or its neighbour): a
 * quadratic redactor runs for hours on any of them, a linear one in milliseconds. No timing is
 * asserted: finishing within mocha's timeout is the proof, with a margin of thousands.
 */
import { strict as assert } from "node:assert";
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { REDACTED, redactSecrets } from "../../../rotation/report/redaction";

const MIB = 1024 * 1024;
const b64 = (text: string) => Buffer.from(text, "latin1").toString("base64");
const b64url = (text: string) => Buffer.from(text, "latin1").toString("base64url");
/** `text` broken into lines of `columns` characters by `lineBreak`. */
const wrap = (text: string, columns: number, lineBreak = "\n") => text.replace(new RegExp(`(.{${columns}})(?=.)`, "g"), `$1${lineBreak}`);
/** `text` with `&`, `+`, `/` and `=` as HTML decimal (`&#43;`) or hex (`&#x2B;`) character references. */
const htmlEscaped = (text: string, hex: boolean) =>
    text.replace(/[&+/=]/g, (char) => `&#${hex ? `x${char.charCodeAt(0).toString(16)}` : char.charCodeAt(0)};`);

/** A token as APIM issues it, its signature a base64 HMAC-SHA512. */
function token(gatewayId: string, expiry: string, seed: string): { token: string; signature: string } {
    const signature = createHmac("sha512", seed).update(`${gatewayId}\n${expiry}`).digest("base64");
    return { token: `${gatewayId}&${expiry}&${signature}`, signature };
}

const SAMPLE = token("gw1", "202507151200", "k1");

/**
 * Whether a 16-character piece of `signature` survived in `text`: as printed, with line breaks
 * removed and HTML character references decoded, or in what any base64 run in it decodes to from
 * any of its first four offsets.
 */
function leaks(text: string, signature: string): boolean {
    const needles = [
        signature,
        encodeURIComponent(signature),
        signature.replace(/\//g, "\\/"),
        Buffer.from(signature, "base64").toString("base64url"),
    ].flatMap((form) => Array.from({ length: form.length - 15 }, (_, index) => form.slice(index, index + 16)));
    const joined = text
        .replace(/\r?\n[ \t]*/g, "")
        .replace(/&#(x?)([0-9a-f]{1,8});/gi, (_, hex: string, digits: string) =>
            String.fromCodePoint(Number.parseInt(digits, hex === "" ? 10 : 16)),
        );
    const decoded = [...joined.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)].flatMap(([run]) =>
        [0, 1, 2, 3].map((offset) => Buffer.from(run.slice(offset), "base64").toString("latin1")),
    );
    const decodedTwice = decoded.flatMap((inner) =>
        [...inner.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)].flatMap(([run]) =>
            [0, 1, 2, 3].map((offset) => Buffer.from(run.slice(offset), "base64").toString("latin1")),
        ),
    );
    return [text, joined, ...decoded, ...decodedTwice].some((candidate) => needles.some((needle) => candidate.includes(needle)));
}

describe("redaction: linear in its input, whatever the input", () => {
    describe("1 MiB adversarial inputs", () => {
        const filler = "A".repeat(MIB);
        const withToken: [string, string][] = [
            ["a wrapped base64 block with a token at its end", wrap(`${filler}${b64(SAMPLE.token)}`, 76)],
            ["a wrapped base64 block with a token at its start", wrap(`${b64(SAMPLE.token)}${filler}`, 64)],
            ["a wrapped base64 block, its token base64 inside base64", wrap(b64(`${"x".repeat(MIB / 2)}{"v":"${b64(SAMPLE.token)}"}`), 76)],
            ["a 1 MiB line of base64 with a token at its end", `${filler}${b64(`GatewayKey ${SAMPLE.token}`)}`],
            ["a token after a 1 MiB run of id characters", `${"g".repeat(MIB)}${SAMPLE.token}`],
            ["a token after 1 MiB of 'GatewayKey+'", `${"GatewayKey+".repeat(MIB / 11)}GatewayKey ${SAMPLE.token}`],
            [
                "a signature broken over 1 MiB of lines",
                `gw1&202507151200&${`${SAMPLE.signature.slice(0, 8)}\n  `.repeat(MIB / 11)}${SAMPLE.signature}`,
            ],
        ];
        for (const [what, input] of withToken) {
            it(`${what}: redacted`, () => {
                const output = redactSecrets(input);
                assert.ok(output.includes(REDACTED));
                assert.ok(!leaks(output.slice(-4096), SAMPLE.signature) && !output.includes(SAMPLE.signature.slice(0, 16)));
            });
        }
        const noToken: [string, string][] = [
            ["a wrapped base64 block without a token", wrap(filler, 76)],
            ["a 1 MiB line of base64", filler],
            ["base64 of base64 of base64", b64(b64(b64("x".repeat((MIB * 27) / 64))))],
            ["1 MiB of 'GatewayKey '", "GatewayKey ".repeat(MIB / 11)],
            ["1 MiB of id characters and separators", "a&".repeat(MIB / 2)],
            ["1 MiB of expiries between separators", "&202507151200".repeat(MIB / 13)],
            ["1 MiB of URL-encoded separators", "%26".repeat(MIB / 3)],
            ["1 MiB of JSON-escaped separators", "\\u0026".repeat(MIB / 6)],
            ["1 MiB of '::' lines", "::add-mask::x\n".repeat(MIB / 14)],
            ["1 MiB of indented line breaks", "\n    ".repeat(MIB / 5)],
            ["1 MiB of slashes", "/".repeat(MIB)],
            ["1 MiB of zeros in an HTML reference where a signature starts", `gw1&#38;202507151200&#38;&#${"0".repeat(MIB)}`],
            ["1 MiB of zero-padded HTML separators", "a&#0038".repeat(MIB / 7)],
            ["a signature of 1 MiB of HTML references", `gw1&#38;202507151200&#x26;${"&#x2B;&#47;".repeat(MIB / 11)}&#00`],
            ["1 MiB of CRLF line breaks, indented", "\r\n  ".repeat(MIB / 4)],
        ];
        for (const [what, input] of noToken) {
            it(`${what}: finishes, and redacting again changes nothing`, () => {
                const output = redactSecrets(input);
                assert.equal(redactSecrets(output), output);
            });
        }
    });

    describe("properties", () => {
        it("never throws on arbitrary text, and is idempotent", () => {
            const text = fc.oneof(
                fc.string({ maxLength: 400 }),
                fc.string({ unit: "binary", maxLength: 200 }),
                fc.base64String({ maxLength: 400 }),
                fc
                    .array(fc.constantFrom("GatewayKey", " ", "\n", "\n  ", "&", "%26", "=", "202507151200", "QUJD", "[secret]"), {
                        maxLength: 30,
                    })
                    .map((parts) => parts.join("")),
            );
            fc.assert(
                fc.property(text, (input) => {
                    const once = redactSecrets(input);
                    assert.equal(redactSecrets(once), once);
                }),
                { numRuns: 2000 },
            );
        });

        /** Every form a token reaches text in (redaction.ts's header), as functions of the token. */
        const FORMS: readonly ((token: string) => string)[] = [
            (t) => t,
            (t) => `GatewayKey ${t}`,
            (t) => b64(t),
            (t) => b64(`GatewayKey ${t}`),
            (t) => b64url(t),
            (t) => encodeURIComponent(`GatewayKey ${t}`),
            (t) => t.replace(/&/g, "\\u0026").replace(/\//g, "\\/"),
            (t) => t.replace(/&/g, "&amp;"),
            (t) => htmlEscaped(t, false),
            (t) => htmlEscaped(`GatewayKey ${t}`, true),
            (t) => `${t.slice(0, 30)}\r\n  ${t.slice(30)}`,
            (t) => b64(`{"data":{"value":"${b64(t)}"}}`),
            (t) => `${t.slice(0, 40)}\n    ${t.slice(40)}`,
        ];

        it("no token survives, in any form, at any wrapping, among any text", () => {
            const gatewayId = fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/);
            const expiry = fc.stringMatching(/^20\d{10}$/);
            const around = fc.oneof(
                fc.constant(""),
                fc.constantFrom(" ", "\n", ": ", '"', "(", "auth="),
                fc.string({ maxLength: 20 }).map((text) => `${text} `),
            );
            fc.assert(
                fc.property(
                    gatewayId,
                    expiry,
                    fc.string({ maxLength: 8 }),
                    fc.nat(FORMS.length - 1),
                    fc.option(fc.integer({ min: 16, max: 120 })),
                    fc.constantFrom("\n", "\r\n", "\r\n    "),
                    around,
                    around,
                    (id, exp, seed, form, columns, lineBreak, before, after) => {
                        const sample = token(id, exp, seed);
                        const encoded = FORMS[form](sample.token);
                        const wrapped =
                            columns !== null && /^[A-Za-z0-9+/=_-]+$/.test(encoded) ? wrap(encoded, columns, lineBreak) : encoded;
                        const text = `${before}${wrapped}${after}`;
                        const output = redactSecrets(text);
                        assert.ok(!leaks(output, sample.signature), JSON.stringify({ text, output }));
                    },
                ),
                { numRuns: 1500 },
            );
        });
    });
});
