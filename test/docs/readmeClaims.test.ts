/**
 * README statements with a value, read from the code: the Pulumi CLI version, which npm scripts
 * bring Node.js 22, the required stack config keys (rendered with exactly those keys), and every
 * link of README.md and docs/ (file and heading). A statement edited away from the code fails here.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { commandBlocks } from "../helpers/docBlocks";
import { brokenLink, markdownPages, relativeLinks } from "../helpers/markdownLinks";
import { scheduleScripts } from "../helpers/scheduleScripts";
import { GATEWAY_ARG_DEFAULTS } from "../../components/defaults";
import { TOKEN_DEFAULTS } from "../../components/token/policy";
import { MAX_LOG_LINE_CHARS, MAX_REPORT_CHARS, MAX_REPORT_FIELD_CHARS } from "../../rotation/report/textBounds";

const root = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
const README = read("README.md");
const SCRIPTS: Record<string, string> = JSON.parse(read("package.json")).scripts;

/** The README table row whose first cell is `first`. */
function row(first: string): string {
    const line = README.split("\n").find((candidate) => candidate.startsWith(`| ${first} |`));
    assert.ok(line, `README has a table row "${first}"`);
    return line;
}

/** The backticked words of `text`. */
const backticked = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map(([, word]) => word);

describe("docs claims read from the code", () => {
    it("docs/rotation-security.md states the output bounds rotation/report/textBounds.ts sets", () => {
        const stated = /a log line at (\d+) KiB, a report field at (\d+) KiB, a table or job summary at (\d+) KiB/.exec(
            read("docs/rotation-security.md").replace(/\s+/g, " "),
        );
        assert.ok(stated, "the sentence on what the CLI prints is bounded");
        assert.deepEqual(
            stated.slice(1).map(Number),
            [MAX_LOG_LINE_CHARS, MAX_REPORT_FIELD_CHARS, MAX_REPORT_CHARS].map((n) => n / 1024),
        );
    });
});

/** How every shell block of the docs and every schedule runs the CLI: the schedules' own form. */
const ONE_WAY = "npm exec --offline --no -- apim-gateway-rotate";

describe("one way to run apim-gateway-rotate", () => {
    it("is the schedules' form, in every schedule step that runs it", () => {
        const runs = scheduleScripts().flatMap((entry) =>
            entry.script.split("\n").filter((line) => /\bapim-gateway-rotate\b/.test(line) && !/^\s*#/.test(line)),
        );
        assert.ok(runs.length >= 4, "both schedules run the CLI");
        for (const line of runs) {
            assert.ok(line.trim().startsWith(ONE_WAY), line);
        }
    });

    it("is the form of every shell-block line of README.md and docs/ that runs it, and no npm script is a second way", () => {
        const lines = markdownPages(root)
            .flatMap(commandBlocks)
            .flatMap((block) => block.lines.map((line) => ({ page: block.page, line: line.replace(/#.*$/, "") })))
            .filter(({ line }) => /\bapim-gateway-rotate\b/.test(line));
        assert.ok(lines.length >= 8, "the docs show the CLI run");
        for (const { page, line } of lines) {
            assert.ok(
                line
                    .replace(/^.*\| /, "")
                    .trim()
                    .startsWith(ONE_WAY),
                `${page}: ${line}`,
            );
        }
        const scripts = Object.entries(SCRIPTS).filter(([, body]) => /rotation\/cli|apim-gateway-rotate/.test(body));
        assert.deepEqual(scripts, []);
    });
});

describe("README claims read from the code", () => {
    it("installs, in Requirements, the Pulumi CLI version the engine is built at", () => {
        const built = /^PULUMI_VERSION=(\S+)$/m.exec(read("localenv/engine/toolchain/build.sh"))?.[1];
        const install = commandBlocks("README.md").find((block) => /^v=/.test(block.firstLine));
        assert.ok(install, "README has the CLI install block");
        assert.equal(install.firstLine, `v=${built}`);
    });

    it("states the storage and node-label needs of the defaults: the backup claim's access mode and the spread's keys", () => {
        assert.match(row("A storage class"), new RegExp(`provisions \`${GATEWAY_ARG_DEFAULTS.configBackup.accessMode}\` volumes`));
        const labels = backticked(row("Node labels").split(" | ")[1]);
        assert.deepEqual(labels, [...GATEWAY_ARG_DEFAULTS.topologyKeys]);
        assert.match(row("Node labels"), new RegExp(`\\(\`${GATEWAY_ARG_DEFAULTS.whenUnsatisfiable}\`\\)`));
    });

    it("docs/glossary.md states the token defaults of the renewal window", () => {
        const stated = /`token\.renewBeforeDays` days \(default (\d+)\) of a token's `token\.validityDays` \(default (\d+)\)/.exec(
            read("docs/glossary.md"),
        );
        assert.ok(stated, "the glossary defines the renewal window with its defaults");
        assert.deepEqual([Number(stated[1]), Number(stated[2])], [TOKEN_DEFAULTS.renewBeforeDays, TOKEN_DEFAULTS.validityDays]);
    });

    it("names the Pulumi CLI version the end-to-end engine is built at, in Requirements and the support matrix", () => {
        const built = /^PULUMI_VERSION=(\S+)$/m.exec(read("localenv/engine/toolchain/build.sh"))?.[1];
        assert.ok(built);
        const rows = README.split("\n").filter((line) => line.startsWith("| Pulumi CLI |"));
        assert.equal(rows.length, 2, "Requirements and the support matrix");
        for (const line of rows) {
            assert.equal(/^\| Pulumi CLI \| (\d+\.\d+\.\d+)\b/.exec(line)?.[1], built, line);
        }
    });

    it("names the Kubernetes minimum the admission policy states, and the version the control plane is built at", () => {
        const stated = /^\| Kubernetes \| (\d+\.\d+) or later \(tested: (\d+\.\d+)\)/m.exec(README);
        assert.ok(stated, "Requirements has a Kubernetes row");
        const policy = /^# Kubernetes (\d+\.\d+) or later:/m.exec(read("rotation/schedules/kubernetes-rbac.yaml"))?.[1];
        const page = /\*\*Minimum Kubernetes version: (\d+\.\d+)\.\*\*/.exec(read("docs/network-and-pod-security.md"))?.[1];
        const built = /^KUBERNETES_VERSION=(\d+\.\d+)\.\d+$/m.exec(read("localenv/cluster/toolchain/build.sh"))?.[1];
        assert.deepEqual([stated[1], stated[2]], [policy, built]);
        assert.equal(page, policy);
    });

    it("places the rotation identity where kubernetes-rbac.yaml matches it: the RoleBinding and the policy's matchConditions", () => {
        const documents = parseAllDocuments(read("rotation/schedules/kubernetes-rbac.yaml")).map((document) => document.toJS());
        const binding = documents.find((object) => object?.kind === "RoleBinding");
        const policy = documents.find((object) => object?.kind === "ValidatingAdmissionPolicy");
        const identity: string = binding.subjects[0].name;
        const conditions: { name: string; expression: string }[] = policy.spec.matchConditions;
        const matching = conditions.filter((condition) => condition.expression.includes(`'${identity}'`));
        assert.equal(matching.length, 1, "the policy matches the RoleBinding's subject in one matchCondition");
        const schedule = README.split(/^## /m).find((part) => part.startsWith("Schedule the rotation\n")) ?? "";
        const expected = `RoleBinding's subject and in the admission policy's \`matchConditions\` (\`${matching[0].name}\`)`;
        assert.ok(schedule.replace(/\s+/g, " ").includes(expected), `the Schedule section says: ${expected}`);
    });

    it("names the Kubernetes provider commit the engine is built from, and the plugin version it reports", () => {
        const build = read("localenv/engine/toolchain/build.sh");
        const stamp = /^K8S_PROVIDER_MODULE_VERSION=v\d+\.\d+\.\d+-(\d{4})(\d{2})(\d{2})\d{6}-[0-9a-f]{12}$/m.exec(build);
        const plugin = /^K8S_PLUGIN_VERSION=(\S+)$/m.exec(build)?.[1];
        assert.ok(stamp && plugin);
        const matrix = README.split("\n").filter((line) => line.startsWith("| Pulumi CLI |"))[1];
        assert.match(matrix, new RegExp(`a ${stamp[1]}-${stamp[2]}-${stamp[3]} main-branch commit .* reports itself as ${plugin} \\|$`));
    });

    it("names exactly the npm scripts that run on the Node.js that starts them; every other brings Node.js 22", () => {
        const anyNode = new Set(backticked(/the build tools \(([^)]*)\)/.exec(row("Node.js 20"))?.[1] ?? ""));
        assert.ok(anyNode.size > 0, 'the "Node.js 20" row lists the build tools');
        for (const name of anyNode) {
            assert.ok(name in SCRIPTS, `"${name}" is an npm script`);
        }
        // A pre- or post- hook runs with its script (npm's lifecycle), not on its own.
        const hooks = (name: string) => /^(pre|post)(.+)$/.exec(name)?.[2] ?? "";
        for (const [name, body] of Object.entries(SCRIPTS).filter(([name]) => !(hooks(name) in SCRIPTS))) {
            const brings = body.includes("bash scripts/with-node22.sh");
            assert.equal(brings, !anyNode.has(name), `npm run ${name}: ${body}`);
        }
    });

    describe("the required stack config keys, rendered with exactly those", function () {
        this.timeout(120_000);
        /** A value for each key the README may call required. */
        const VALUES: Record<string, unknown> = {
            resourceGroupName: "rg-apim",
            serviceName: "contoso-apim",
            gatewayId: "contoso-gw",
            "location.name": "Contoso DC",
            "service.exposure": "internal",
        };
        const sentence = /^ {3}Required: (.*?)\n {3}What to change/ms.exec(README)?.[1] ?? "";
        // The keys are the backticked words outside parentheses (inside: values and explanations).
        const required = backticked(sentence.replace(/\([^)]*\)/g, ""));
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "apim-gw-required-"));
        after(() => fs.rmSync(scratch, { recursive: true, force: true }));

        /** Renders a stack file holding `keys` (nested by their dots), as `npm run render -- FILE` does. */
        function render(keys: readonly string[]) {
            const config: Record<string, any> = {};
            for (const key of keys) {
                const parts = key.split(".");
                let node = config;
                for (const part of parts.slice(0, -1)) {
                    node = node[part] ??= {};
                }
                node[parts[parts.length - 1]] = VALUES[key];
            }
            const file = path.join(fs.mkdtempSync(path.join(scratch, "stack-")), "Pulumi.required.yaml");
            const lines = Object.entries(config).map(([key, value]) => `  apim-gateway:${key}: ${JSON.stringify(value)}`);
            fs.writeFileSync(file, `config:\n${lines.join("\n")}\n`);
            return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "stacks/renderManifests.ts", file], {
                cwd: root,
                encoding: "utf8",
            });
        }

        it("lists keys the test knows a value for", () => {
            assert.ok(required.length > 0, "README step 2 has a 'Required:' sentence");
            for (const key of required) {
                assert.ok(key in VALUES, `README calls "${key}" required; give it a value in VALUES`);
            }
        });

        it("renders a stack with exactly the required keys", () => {
            const result = render(required);
            assert.equal(result.status, 0, result.stderr);
        });

        it("refuses a stack missing any one of them, naming it", () => {
            for (const key of required) {
                const result = render(required.filter((other) => other !== key));
                assert.equal(result.status, 1, `without ${key}: ${result.stderr}`);
                assert.match(result.stderr, new RegExp(key.split(".")[0]), `without ${key}`);
            }
        });
    });
});

describe("links in README.md and docs/", () => {
    for (const page of markdownPages(root)) {
        it(`${page}: every relative link names a file that exists, and a heading it has`, () => {
            const broken = relativeLinks(root, page).flatMap((link) => brokenLink(root, link) ?? []);
            assert.deepEqual(broken, []);
        });
    }
});
