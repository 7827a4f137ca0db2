import { strict as assert } from "node:assert";
import { createHmac } from "node:crypto";
import { SecretUnwrapper, redactManifest, redactSecrets } from "../../../rotation/report/redaction";
import { renderGithubSummary, renderJson, renderTable } from "../../../rotation/report/renderReport";
import { RunReport } from "../../../rotation/model/runReport";
import { PLANTED_RAW, PLANTED_TOKEN } from "../fakes";

/** A token as APIM issues it: `<gatewayId>&<yyyyMMddHHmm>&<base64 HMAC-SHA512>` (88 characters, with `+`, `/` and `=`). */
function gatewayToken(gatewayId: string, expiry: string, seed: string): string {
    return `${gatewayId}&${expiry}&${createHmac("sha512", seed).update(`${gatewayId}\n${expiry}`).digest("base64")}`;
}

/** Its signature starts with `+` and holds `/` (an escaped `+` or `/` must not end the match, nor keep it from starting). */
const TOKEN = gatewayToken("gw-east.1", "202507151200", "k26");
const SIGNATURE = TOKEN.split("&")[2];
const HEADER = `GatewayKey ${TOKEN}`;
const REDACTED_FOR_TEST = "[secret]";
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const b64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");
/** `text` with `&`, `+`, `/` and `=` as HTML character references written by `reference` (from the code point). */
const htmlEscaped = (text: string, reference: (code: number) => string) => text.replace(/[&+/=]/g, (char) => reference(char.charCodeAt(0)));
/** Decimal (`&#43;`), hex as .NET's HtmlEncoder writes it (`&#x2B;`), and zero-padded as WordPress writes `&#038;`. */
const DECIMAL = (code: number) => `&#${code};`;
const HEX = (code: number) => `&#x${code.toString(16).toUpperCase()};`;
const PADDED = (code: number) => `&#0${code};`;

/** Every encoding a token can take in text, and where it shows up. */
const FORMS: readonly { name: string; text: string }[] = [
    { name: "raw", text: TOKEN },
    { name: "header", text: HEADER },
    { name: "base64 of the token (a Secret's data)", text: b64(TOKEN) },
    { name: "base64 of the header", text: b64(HEADER) },
    { name: "base64url of the token", text: b64url(TOKEN) },
    { name: "base64url of the header", text: b64url(HEADER) },
    { name: "URL-encoded token", text: encodeURIComponent(TOKEN) },
    { name: "URL-encoded header", text: encodeURIComponent(HEADER) },
    { name: "form-encoded header", text: encodeURIComponent(HEADER).replace(/%20/g, "+") },
    { name: "lower-case URL escapes", text: encodeURIComponent(TOKEN).replace(/%[0-9A-F]{2}/g, (code) => code.toLowerCase()) },
    { name: "Go JSON escaping (\\u0026)", text: TOKEN.replace(/&/g, "\\u0026") },
    { name: "the header in lower case", text: `gatewaykey ${TOKEN}` },
    { name: "the header in upper case", text: `GATEWAYKEY ${TOKEN}` },
    { name: "a lower-case URL-encoded header", text: encodeURIComponent(HEADER).replace(/%[0-9A-F]{2}/g, (code) => code.toLowerCase()) },
    { name: "base64 of a Secret manifest holding the base64 token", text: b64(`{"data":{"value":"${b64(TOKEN)}"}}`) },
    { name: "base64 of a kubeconfig-like document holding the header", text: b64(`apiVersion: v1\nauth: ${HEADER}\nmore: yes\n`) },
    { name: "token split across lines in its signature", text: `${TOKEN.slice(0, 40)}\n${TOKEN.slice(40)}` },
    {
        name: "header split across lines after its expiry, indented",
        text: `${HEADER.slice(0, HEADER.lastIndexOf("&"))}\n    ${HEADER.slice(HEADER.lastIndexOf("&"))}`,
    },
    { name: "base64 of the token wrapped at 64 columns", text: wrap(b64(TOKEN), 64) },
    { name: "base64 of the header wrapped at 76 columns", text: wrap(b64(HEADER), 76) },
    { name: "base64 of a Secret manifest wrapped at 76 columns", text: wrap(b64(`{"data":{"value":"${b64(TOKEN)}"}}`), 76) },
    { name: "JSON with \\/ escapes", text: TOKEN.replace(/\//g, "\\/") },
    { name: "HTML-escaped &amp;", text: HEADER.replace(/&/g, "&amp;") },
    { name: "HTML decimal references (&#38; &#43; &#47; &#61;)", text: htmlEscaped(TOKEN, DECIMAL) },
    { name: "HTML hex references (&#x26; &#x2B; &#x2F; &#x3D;) in a header", text: htmlEscaped(HEADER, HEX) },
    { name: "lower-case HTML hex references", text: htmlEscaped(TOKEN, (code) => HEX(code).toLowerCase()) },
    { name: "zero-padded HTML references (&#038;)", text: htmlEscaped(TOKEN, PADDED) },
    { name: "only + as an HTML reference (Go's html/template)", text: TOKEN.replace(/\+/g, "&#43;") },
    { name: "token split by CRLF in its signature (a Windows runner)", text: `${TOKEN.slice(0, 40)}\r\n${TOKEN.slice(40)}` },
    {
        name: "header split by CRLF after its expiry, indented",
        text: `${HEADER.slice(0, HEADER.lastIndexOf("&"))}\r\n    ${HEADER.slice(HEADER.lastIndexOf("&"))}`,
    },
    {
        name: "token split by CRLF in its expiry and signature",
        text: `${TOKEN.slice(0, 14)}\r\n${TOKEN.slice(14, 50)}\r\n  ${TOKEN.slice(50)}`,
    },
    { name: "base64 of the token wrapped at 64 columns by CRLF", text: wrap(b64(TOKEN), 64, "\r\n") },
    { name: "base64 of the header wrapped at 76 columns by CRLF, indented", text: wrap(b64(HEADER), 76, "\r\n    ") },
    {
        name: "base64 of a Secret manifest wrapped at 76 columns by CRLF",
        text: wrap(b64(`{"data":{"value":"${b64(TOKEN)}"}}`), 76, "\r\n"),
    },
    { name: "HTML references split by CRLF", text: htmlEscaped(`${TOKEN.slice(0, 60)}\r\n${TOKEN.slice(60)}`, DECIMAL) },
    { name: "base64 after /x/ (offset 3)", text: `/x/${b64(TOKEN)}` },
    { name: "base64url after x- (offset 2)", text: `x-${b64url(HEADER)}` },
];

/** `text` broken into lines of `columns` characters by `lineBreak`. */
function wrap(text: string, columns: number, lineBreak = "\n"): string {
    return text.replace(new RegExp(`(.{${columns}})(?=.)`, "g"), `$1${lineBreak}`);
}

/** `text` with HTML decimal and hex character references decoded. */
function htmlDecoded(text: string): string {
    return text.replace(/&#(x?)([0-9a-f]{1,8});/gi, (_, hex: string, digits: string) =>
        String.fromCodePoint(Number.parseInt(digits, hex === "" ? 10 : 16)),
    );
}

/** Every 16-character piece of `text`. */
function pieces(text: string): string[] {
    return Array.from({ length: Math.max(0, text.length - 15) }, (_, index) => text.slice(index, index + 16));
}

/** Any 16-character piece of the signature, in every form it can take, or of any form's text. */
const NEEDLES = new Set([
    ...[
        SIGNATURE,
        encodeURIComponent(SIGNATURE),
        SIGNATURE.replace(/\//g, "\\/"),
        Buffer.from(SIGNATURE, "base64").toString("base64url"),
    ].flatMap(pieces),
    ...FORMS.flatMap((form) => pieces(form.text.replace(/\s+/g, ""))),
]);

/**
 * Whether any recognisable piece of the token survived: a 16-character piece of the signature
 * (raw, URL-encoded, JSON-escaped) or of any form, in the text as printed or with its line breaks
 * removed and its HTML references decoded, or in anything base64 in it decodes to (from any offset).
 */
function leaks(text: string): boolean {
    const joined = htmlDecoded(text.replace(/\r?\n[ \t]*/g, ""));
    const decoded = [...joined.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)].flatMap(([run]) =>
        [0, 1, 2, 3].map((offset) => Buffer.from(run.slice(offset), "base64").toString("latin1")),
    );
    return [text, joined, ...decoded].some((candidate) => [...NEEDLES].some((needle) => candidate.includes(needle)));
}

/** Contexts a token is printed in. */
const CONTEXTS: readonly { name: string; wrap: (token: string) => string }[] = [
    { name: "alone", wrap: (token) => token },
    { name: "in a sentence", wrap: (token) => `error: the gateway rejected ${token}, retrying.` },
    { name: "in double quotes", wrap: (token) => `value: "${token}"` },
    { name: "in single quotes", wrap: (token) => `value: '${token}'` },
    { name: "in backticks", wrap: (token) => `run \`${token}\`` },
    { name: "as a query parameter", wrap: (token) => `GET https://gw.local/status?auth=${token}&x=1` },
    { name: "in parentheses", wrap: (token) => `(${token})` },
    { name: "after a colon", wrap: (token) => `token:${token}` },
    { name: "at a line end", wrap: (token) => `first ${token}\nsecond line` },
    { name: "at a CRLF line end", wrap: (token) => `first ${token}\r\nsecond line` },
    { name: "in an HTML attribute", wrap: (token) => `<td title="${token}">` },
    { name: "right after a newline and a tab (JSON escapes them)", wrap: (token) => `first\n\t${token}` },
];

describe("redaction", () => {
    describe("every encoding in every context", () => {
        for (const form of FORMS) {
            for (const context of CONTEXTS) {
                it(`${form.name}, ${context.name}`, () => {
                    const text = context.wrap(form.text);
                    const once = redactSecrets(text);
                    assert.ok(!leaks(once), `a token survived in: ${once}`);
                    assert.match(once, /\[secret\]/);
                    assert.equal(redactSecrets(once), once, "redacting twice changes nothing");
                });
            }
        }
    });

    describe("the leak check itself", () => {
        const stopsAfter16 = (text: string) => text.split(SIGNATURE.slice(0, 16)).join(REDACTED_FOR_TEST);
        it("fails a redactor that replaces only the first 16 characters of the signature", () => {
            assert.ok(leaks(stopsAfter16(TOKEN)));
        });
        it("fails a redactor that drops the URL-escaped signature characters", () => {
            assert.ok(leaks(encodeURIComponent(SIGNATURE).replace(/%2B|%2F|%3D/g, "")));
        });
        it("sees a signature piece written as HTML references only, split over CRLF lines", () => {
            const references = (text: string) => [...text].map((char) => HEX(char.charCodeAt(0))).join("");
            assert.ok(leaks(`${references(SIGNATURE.slice(20, 28))}\r\n  ${references(SIGNATURE.slice(28, 36))}`));
        });
        it("sees a signature piece split over lines, and one inside base64 at any offset", () => {
            assert.ok(leaks(`${SIGNATURE.slice(20, 28)}\n${SIGNATURE.slice(28, 36)}`));
            assert.ok(leaks(`zz${b64(`...${SIGNATURE.slice(30, 50)}...`)}`));
        });
    });

    it("keeps the surrounding text and its delimiters", () => {
        const table: [string, string][] = [
            [`auth: ${HEADER}.`, "auth: GatewayKey [secret]."],
            [`raw "${TOKEN}"`, 'raw "[secret]"'],
            [`'${TOKEN}'`, "'[secret]'"],
            [`?auth=${encodeURIComponent(HEADER)}&x=1`, "?auth=GatewayKey [secret]&x=1"],
            [`{"value":"${b64(TOKEN)}"}`, '{"value":"[secret]"}'],
            [`"${TOKEN.replace(/&/g, "\\u0026")}\\n"`, '"[secret]\\n"'],
            [`<td>${htmlEscaped(TOKEN, HEX)}</td>`, "<td>[secret]</td>"],
            [`&#34;${htmlEscaped(TOKEN, DECIMAL)}&#34;&#38;x&#61;1`, "&#34;[secret]&#34;&#38;x&#61;1"],
            [`a\r\n${TOKEN.slice(0, 40)}\r\n${TOKEN.slice(40)}\r\nb`, "a\r\n[secret]\r\nb"],
            [`${wrap(b64(TOKEN), 64, "\r\n")}\r\nnext`, "[secret]\r\nnext"],
            [`GatewayKey ${"x".repeat(10)}, then`, "GatewayKey [secret], then"],
            [`gatewaykey ${"x".repeat(10)}, then`, "GatewayKey [secret], then"],
        ];
        for (const [input, expected] of table) {
            assert.equal(redactSecrets(input), expected, input);
        }
    });

    it("leaves text that only looks like parts of a token alone", () => {
        for (const text of [
            "expires 2025-07-15T12:00:00Z & renews 202507151200",
            "urn:pulumi:dev::apim-gateway::kubernetes:core/v1:Secret::gateway-token",
            "file:///state/.pulumi/locks/organization/apim-gateway/s1/2a0bc532-3e70-49d6-8ed5-25885e00e037.json",
            `checksum/token: ${b64("sha256 of something else, not a token at all")}`,
            "GatewayKey [secret]",
            "a=1&b=2&c=3",
        ]) {
            assert.equal(redactSecrets(text), text);
        }
    });

    it("is idempotent on already-redacted and mixed text", () => {
        const mixed = FORMS.map((form, index) => `${index}: ${form.text}`).join("\n");
        const once = redactSecrets(mixed);
        assert.ok(!leaks(once));
        assert.equal(redactSecrets(redactSecrets(once)), once);
        assert.equal(once.split("\n").length, FORMS.length, "no line was joined or dropped");
    });

    describe("--json output with tokens in its messages", () => {
        const report = (message: string): RunReport => ({
            mode: "rotate",
            force: false,
            regenerateUnusedKey: true,
            includePendingChanges: false,
            startedAt: "2025-06-15T12:00:00.000Z",
            finishedAt: "2025-06-15T12:01:00.000Z",
            stacks: [
                {
                    stack: "prod",
                    action: "rotate",
                    forced: false,
                    result: "failed",
                    message,
                    keyRegeneration: { status: "failed", keyType: "secondary", reason: `ARM said: ${message}` },
                },
            ],
            errors: [message],
            cancelled: false,
        });

        for (const form of FORMS) {
            for (const context of CONTEXTS) {
                it(`is valid JSON with no token: ${form.name}, ${context.name}`, () => {
                    const message = `update failed: ${context.wrap(form.text)}`;
                    const json = renderJson(report(message), 1);
                    const parsed = JSON.parse(json) as RunReport & { exitCode: number };
                    assert.ok(!leaks(json), json);
                    assert.equal(parsed.exitCode, 1);
                    assert.equal(parsed.stacks[0].result, "failed");
                    assert.match(parsed.stacks[0].message ?? "", /^update failed: .*\[secret\]/s);
                    assert.equal(parsed.errors[0], parsed.stacks[0].message);
                    assert.equal(redactSecrets(json), json);
                });
            }
        }

        it("redacts the table and the job summary too (the summary escapes the marker's brackets as Markdown)", () => {
            const message = `rejected ${HEADER} and ${b64(TOKEN)}`;
            const table = renderTable(report(message), 1);
            const summary = renderGithubSummary(report(message), 1);
            for (const text of [table, summary]) {
                assert.ok(!leaks(text), text);
            }
            assert.match(table, /GatewayKey \[secret\] and \[secret\]/);
            assert.match(summary, /GatewayKey \\\[secret\\\] and \\\[secret\\\]/);
        });
    });
});

describe("redactManifest: a Kubernetes object for review", () => {
    /** A stand-in marking, so the walk is tested apart from the SDK's (test/stacks/render.test.ts covers the SDK's). */
    const secret = (value: unknown) => ({ marked: true, value });
    const unwrap: SecretUnwrapper = (value) =>
        typeof value === "object" && value !== null && (value as { marked?: boolean }).marked === true
            ? { value: (value as { value: unknown }).value }
            : undefined;

    it("replaces every marked value at any depth by [secret], and leaves the rest as it is", () => {
        const object = {
            kind: "ConfigMap",
            metadata: { name: "config", annotations: { a: secret("x") } },
            data: { plain: "GatewayKey stays: review output is not scanned as text", list: [1, secret(2)] },
        };
        assert.deepEqual(redactManifest(object, unwrap), {
            kind: "ConfigMap",
            metadata: { name: "config", annotations: { a: "[secret]" } },
            data: { plain: "GatewayKey stays: review output is not scanned as text", list: [1, "[secret]"] },
        });
    });

    it("keeps a Secret's data keys only, marked or not, and a marked Secret data wrapping null as null", () => {
        const object = { kind: "Secret", metadata: { name: "s" }, data: { a: "YQ==" }, stringData: secret({ b: "plain", c: "x" }) };
        assert.deepEqual(redactManifest(object, unwrap), {
            kind: "Secret",
            metadata: { name: "s" },
            data: { a: "[secret]" },
            stringData: { b: "[secret]", c: "[secret]" },
        });
        assert.deepEqual(redactManifest({ kind: "Secret", data: secret(null) }, unwrap), { kind: "Secret", data: null });
    });
});

describe("redactSecrets on the fakes' planted token", () => {
    it("masks gateway tokens with and without the GatewayKey prefix", () => {
        assert.equal(redactSecrets(`auth: ${PLANTED_TOKEN}.`), "auth: GatewayKey [secret].");
        assert.equal(redactSecrets(`raw "${PLANTED_RAW}"`), 'raw "[secret]"');
        assert.equal(
            redactSecrets("expires 2025-07-15T12:00:00Z & renews 202507151200"),
            "expires 2025-07-15T12:00:00Z & renews 202507151200",
        );
    });
});
