/**
 * The reference pages stay true to the code: every option of `SelfHostedGatewayArgs` has a row in
 * docs/options.md and every row an option; every flag that `--help` prints is documented, and every
 * documented flag exists; every stack output documented is exported, and every export documented.
 * A failure names the missing row, so whoever adds an option, flag or output knows what to write.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { DEMO_USAGE } from "../../demo/options";
import { CliServices, runCli } from "../../rotation/command/runCli";
import { defineStack } from "../../stacks/program";
import { stackConfigSchema } from "../../stacks/configSchema";
import { loadStackFile } from "../../stacks/stackFile";
import { installMocks } from "../helpers/pulumiMocks";

const REPOSITORY = path.resolve(__dirname, "..", "..");

function page(name: string): string {
    return readFileSync(path.join(REPOSITORY, "docs", name), "utf8");
}

/** The text of a `## heading` section of a page, up to the next `## `. */
function section(text: string, heading: string): string {
    const part = text.split(/^## /m).find((p) => p.startsWith(`${heading}\n`));
    assert.ok(part !== undefined, `no "## ${heading}" section`);
    return part;
}

/** First cells of the rows of every table whose header's first cell is `header`. */
function firstCells(text: string, header: string): string[] {
    const cells: string[] = [];
    let inTable = false;
    for (const line of text.split("\n")) {
        if (!line.startsWith("|")) {
            inTable = false;
            continue;
        }
        const first = line.split(/(?<!\\)\|/)[1].trim();
        if (first === header) {
            inTable = true;
        } else if (inTable && !/^-+$/.test(first)) {
            cells.push(first);
        }
    }
    return cells;
}

/** The backticked names of a cell: "`probes.startup` / `.readiness`" names probes.startup and probes.readiness. */
function namesIn(cell: string): string[] {
    const names: string[] = [];
    for (const [, name] of cell.matchAll(/`([^`]+)`/g)) {
        const previous = names[names.length - 1];
        names.push(name.startsWith(".") && previous ? `${previous.slice(0, previous.lastIndexOf("."))}${name}` : name);
    }
    return names;
}

describe("docs/options.md and SelfHostedGatewayArgs", () => {
    const argsFile = path.join(REPOSITORY, "components", "args.ts");
    const program = ts.createProgram([argsFile], { strict: true, skipLibCheck: true, noEmit: true });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(argsFile)!;
    const declaration = source.statements.find(
        (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "SelfHostedGatewayArgs",
    );
    assert.ok(declaration, "components/args.ts declares no SelfHostedGatewayArgs interface");
    const argsType = checker.getTypeAtLocation(declaration);

    /** The option names of a type, looking through `undefined`, `pulumi.Input` and unions. */
    function propertiesOf(type: ts.Type): Map<string, ts.Type> {
        const properties = new Map<string, ts.Type>();
        const members = type.isUnion() ? type.types : [type];
        for (const member of members) {
            if (
                member.getCallSignatures().length > 0 ||
                checker.getPropertyOfType(member, "then") ||
                checker.getPropertyOfType(member, "apply")
            ) {
                continue; // a Promise or an Output: the plain value is another member of the union
            }
            if (member.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike)) {
                continue;
            }
            for (const property of checker.getPropertiesOfType(member)) {
                properties.set(property.name, checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(property, declaration!)));
            }
        }
        return properties;
    }

    function typeAt(optionPath: string): ts.Type | undefined {
        let type: ts.Type | undefined = argsType;
        for (const segment of optionPath.split(".")) {
            type = type && propertiesOf(type).get(segment);
        }
        return type;
    }

    const documented = firstCells(page("options.md"), "Option").flatMap(namesIn);

    it("has a row for every option", () => {
        const missing = [...propertiesOf(argsType).keys()].filter(
            (option) => !documented.some((name) => name === option || name.startsWith(`${option}.`)),
        );
        assert.deepEqual(
            missing,
            [],
            `docs/options.md has no row for these options of SelfHostedGatewayArgs (components/args.ts): ${missing.join(", ")}`,
        );
    });

    it("documents every sub-option of an option it documents by its sub-options", () => {
        const parents = new Set(documented.filter((name) => name.includes(".")).map((name) => name.slice(0, name.lastIndexOf("."))));
        const missing = [...parents].flatMap((parent) => {
            const type = typeAt(parent);
            return type === undefined
                ? []
                : [...propertiesOf(type).keys()]
                      .map((child) => `${parent}.${child}`)
                      .filter((option) => !documented.some((name) => name === option || name.startsWith(`${option}.`)));
        });
        assert.deepEqual(missing, [], `docs/options.md has no row for: ${missing.join(", ")}`);
    });

    it("has no row for an option that does not exist", () => {
        const unknown = documented.filter((name) => typeAt(name) === undefined);
        assert.deepEqual(unknown, [], `docs/options.md documents options SelfHostedGatewayArgs does not have: ${unknown.join(", ")}`);
    });

    it("has a row for every stack config key that is not a component option, and none for a key the schema lacks", () => {
        const stackKeys = firstCells(section(page("options.md"), "The per-environment stacks"), "Stack key")
            .flatMap(namesIn)
            .filter((name) => name.startsWith("apim-gateway:") && name !== "apim-gateway:<option>")
            .map((name) => name.slice("apim-gateway:".length));
        const schemaKeys = Object.keys(stackConfigSchema.shape);
        const options = new Set(propertiesOf(argsType).keys());
        const missing = schemaKeys.filter((key) => !options.has(key) && !stackKeys.includes(key));
        assert.deepEqual(
            missing,
            [],
            `docs/options.md's stack key table has no row for: ${missing.map((k) => `apim-gateway:${k}`).join(", ")}`,
        );
        const unknown = stackKeys.filter((key) => !schemaKeys.includes(key));
        assert.deepEqual(
            unknown,
            [],
            `docs/options.md documents stack keys the schema (stacks/configSchema.ts) lacks: ${unknown.join(", ")}`,
        );
    });
});

/** The long flags a usage text names. */
function flagsIn(text: string): string[] {
    return [...new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map(([flag]) => flag))].sort();
}

describe("docs/rotation.md and apim-gateway-rotate --help", () => {
    let help = "";
    before(async () => {
        const chunks: string[] = [];
        const sink = { write: (text: string) => chunks.push(text) };
        // --help answers before any service is used.
        const code = await runCli(["--help"], { stdout: sink, stderr: sink, env: {}, cwd: REPOSITORY }, {} as CliServices);
        assert.equal(code, 0);
        help = chunks.join("");
    });

    const documented = () => flagsIn(firstCells(section(page("rotation.md"), "Usage"), "Flag").join(" "));

    it("documents every flag --help prints", () => {
        const missing = flagsIn(help).filter((flag) => !documented().includes(flag));
        assert.deepEqual(missing, [], `docs/rotation.md's flag table (## Usage) has no row for: ${missing.join(", ")}`);
    });

    it("documents no flag that --help does not print", () => {
        const unknown = documented().filter((flag) => !flagsIn(help).includes(flag));
        assert.deepEqual(unknown, [], `docs/rotation.md documents flags apim-gateway-rotate --help does not name: ${unknown.join(", ")}`);
    });
});

describe("docs/demo.md and npm run demo -- --help", () => {
    it("names every flag of the demo's help", () => {
        const text = page("demo.md");
        const missing = flagsIn(DEMO_USAGE).filter((flag) => !text.includes(`${flag}`));
        assert.deepEqual(missing, [], `docs/demo.md does not mention: ${missing.join(", ")}`);
    });
});

describe("docs/options.md and the stack outputs", () => {
    it("documents exactly the outputs stacks/program.ts exports", async () => {
        await installMocks({ project: "apim-gateway", stack: "prod" });
        const prod = loadStackFile(path.join(REPOSITORY, "stacks", "Pulumi.prod.yaml"));
        pulumi.runtime.setAllConfig(prod.values, prod.secretKeys);
        const exported = Object.keys(defineStack()).sort();
        const documented = firstCells(section(page("options.md"), "Stack outputs"), "Output")
            .flatMap(namesIn)
            .sort();
        const missing = exported.filter((name) => !documented.includes(name));
        assert.deepEqual(missing, [], `docs/options.md's "Stack outputs" table has no row for: ${missing.join(", ")}`);
        const unknown = documented.filter((name) => !exported.includes(name));
        assert.deepEqual(unknown, [], `docs/options.md documents stack outputs stacks/program.ts does not export: ${unknown.join(", ")}`);
    });
});
