/**
 * The layout of rotation/ as a rule (docs/rotation.md, "Code layout"): its folders form layers, each importing
 * only from itself and the layers below it, and the policy imports no I/O, directly or through
 * anything it imports. Imports are read with TypeScript's own pre-processor (type-only imports
 * count: a type pulled from above is still a dependency pointing up).
 */
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const REPOSITORY = path.resolve(__dirname, "..", "..");
const ROTATION = path.join(REPOSITORY, "rotation");

/** Bottom first: a folder may import from itself and from the folders before it, never after. */
const LAYERS = ["model", "policy", "report", "azure", "evidence", "pulumi", "run", "command"] as const;
/** The entry point: the bin runs it; it wires every layer and nothing imports it. */
const ENTRY = "cli.ts";
/** Shipped files users copy, not modules. */
const NOT_MODULES = new Set(["schedules"]);

/** Modules whose import means I/O: files, processes, the network, the Pulumi CLI, Azure. */
const IO_MODULES: readonly RegExp[] = [
    /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2|tls|dgram|dns|worker_threads|cluster)$/,
    /^@pulumi\/pulumi\/automation(\/|$)/,
    /^@azure\//,
];

/** Module (absolute path) → its imports: relative ones resolved to files, others as written. */
type ImportGraph = ReadonlyMap<string, { readonly files: readonly string[]; readonly packages: readonly string[] }>;

function resolveModule(from: string, specifier: string): string {
    const base = path.resolve(path.dirname(from), specifier);
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) {
        if (existsSync(candidate) && statSync(candidate).isFile()) {
            return candidate;
        }
    }
    throw new Error(`${path.relative(REPOSITORY, from)}: cannot resolve "${specifier}"`);
}

/** The imports of `entries` and of every repository module they reach. */
function importGraph(entries: readonly string[]): ImportGraph {
    const graph = new Map<string, { files: string[]; packages: string[] }>();
    const queue = [...entries];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
        if (graph.has(file)) {
            continue;
        }
        const imported = ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((entry) => entry.fileName);
        const files = imported.filter((name) => name.startsWith(".")).map((name) => resolveModule(file, name));
        graph.set(file, { files, packages: imported.filter((name) => !name.startsWith(".")) });
        queue.push(...files);
    }
    return graph;
}

function modulesUnder(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((name) => name.endsWith(".ts"))
        .map((name) => path.join(dir, name));
}

/** The folder of rotation/ a module lives in ("" for the root), `undefined` outside rotation/. */
function folderOf(file: string): string | undefined {
    const relative = path.relative(ROTATION, file);
    if (relative.startsWith("..")) {
        return undefined;
    }
    const parts = relative.split(path.sep);
    return parts.length === 1 ? "" : parts[0];
}

/** Every import between rotation's folders that runs up the layers, or into the entry point. */
function upwardImports(graph: ImportGraph): string[] {
    const rank = (folder: string) => LAYERS.indexOf(folder as (typeof LAYERS)[number]);
    const found: string[] = [];
    for (const [file, { files }] of graph) {
        const from = folderOf(file);
        if (from === undefined || from === "") {
            continue;
        }
        for (const target of files) {
            const to = folderOf(target);
            if (to !== undefined && (to === "" || rank(to) > rank(from))) {
                found.push(`${path.relative(REPOSITORY, file)} → ${path.relative(REPOSITORY, target)}`);
            }
        }
    }
    return found.sort();
}

/** Every I/O module `entries` import, directly or through the repository's modules, with the importer. */
function ioImports(graph: ImportGraph, entries: readonly string[]): string[] {
    const reached = new Set<string>();
    const queue = [...entries];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
        if (!reached.has(file)) {
            reached.add(file);
            queue.push(...(graph.get(file)?.files ?? []));
        }
    }
    return [...reached]
        .flatMap((file) =>
            (graph.get(file)?.packages ?? [])
                .filter((name) => IO_MODULES.some((pattern) => pattern.test(name)))
                .map((name) => `${path.relative(REPOSITORY, file)} imports ${name}`),
        )
        .sort();
}

describe("rotation/ layout", () => {
    const modules = modulesUnder(ROTATION);
    const graph = importGraph(modules);

    it("puts every module in a layer folder, and only the entry point at the root", () => {
        const folders = readdirSync(ROTATION).filter((name) => statSync(path.join(ROTATION, name)).isDirectory() && !NOT_MODULES.has(name));
        assert.deepEqual(
            [...folders].sort(),
            [...LAYERS].sort(),
            "every folder of rotation/ has a place in LAYERS, and every layer a folder",
        );
        assert.deepEqual(
            modules.filter((file) => folderOf(file) === "").map((file) => path.basename(file)),
            [ENTRY],
            "modules live in a layer folder; only the entry point is at the root",
        );
    });

    it("has every import between folders run down the layers, and none into the entry point", () => {
        assert.deepEqual(upwardImports(graph), []);
    });

    it("keeps policy/ free of I/O, directly and through what it imports", () => {
        const policy = modules.filter((file) => folderOf(file) === "policy");
        assert.ok(policy.length >= 5, `policy/ has its modules (found ${policy.length})`);
        assert.deepEqual(ioImports(graph, policy), []);
    });

    describe("the checks catch a seeded violation", () => {
        const at = (relative: string) => path.join(REPOSITORY, relative);
        const seeded = (from: string, files: readonly string[], packages: readonly string[] = []): ImportGraph =>
            new Map([[at(from), { files: files.map(at), packages }]]);
        const upward: readonly { readonly name: string; readonly graph: ImportGraph; readonly expected: readonly string[] }[] = [
            {
                name: "policy → run",
                graph: seeded("rotation/policy/decision.ts", ["rotation/run/clock.ts", "rotation/model/runReport.ts"]),
                expected: ["rotation/policy/decision.ts → rotation/run/clock.ts"],
            },
            {
                name: "model → report (type-only counts)",
                graph: seeded("rotation/model/engineRecord.ts", ["rotation/report/redaction.ts"]),
                expected: ["rotation/model/engineRecord.ts → rotation/report/redaction.ts"],
            },
            {
                name: "run → the entry point",
                graph: seeded("rotation/run/orchestrator.ts", ["rotation/cli.ts"]),
                expected: ["rotation/run/orchestrator.ts → rotation/cli.ts"],
            },
            {
                name: "command → run (down: allowed)",
                graph: seeded("rotation/command/runCli.ts", ["rotation/run/orchestrator.ts", "components/token/keyType.ts"]),
                expected: [],
            },
        ];
        for (const { name, graph: bad, expected } of upward) {
            it(`direction: ${name}`, () => assert.deepEqual(upwardImports(bad), expected));
        }

        const io: readonly { readonly name: string; readonly packages: readonly string[]; readonly expected: readonly string[] }[] = [
            { name: "node:fs", packages: ["node:fs"], expected: ["rotation/policy/shard.ts imports node:fs"] },
            { name: "child_process", packages: ["child_process"], expected: ["rotation/policy/shard.ts imports child_process"] },
            { name: "https", packages: ["node:https"], expected: ["rotation/policy/shard.ts imports node:https"] },
            {
                name: "the Automation API",
                packages: ["@pulumi/pulumi/automation"],
                expected: ["rotation/policy/shard.ts imports @pulumi/pulumi/automation"],
            },
            { name: "an Azure SDK", packages: ["@azure/identity"], expected: ["rotation/policy/shard.ts imports @azure/identity"] },
            { name: "node:crypto (pure: allowed)", packages: ["node:crypto"], expected: [] },
        ];
        for (const { name, packages, expected } of io) {
            it(`I/O: ${name}`, () => {
                const bad = seeded("rotation/policy/shard.ts", [], packages);
                assert.deepEqual(ioImports(bad, [at("rotation/policy/shard.ts")]), expected);
            });
        }

        it("I/O through a module the policy imports", () => {
            const bad = new Map([
                [at("rotation/policy/shard.ts"), { files: [at("rotation/model/retry.ts")], packages: [] }],
                [at("rotation/model/retry.ts"), { files: [], packages: ["node:net"] }],
            ]);
            assert.deepEqual(ioImports(bad, [at("rotation/policy/shard.ts")]), ["rotation/model/retry.ts imports node:net"]);
        });
    });
});
