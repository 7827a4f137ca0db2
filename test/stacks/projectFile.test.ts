import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { stackConfigSchema } from "../../stacks/configSchema";
import { PROJECT_NAME } from "../../stacks/config";

const projectFile = readFileSync(path.resolve(__dirname, "..", "..", "Pulumi.yaml"), "utf8");
const project = parse(projectFile) as { name: string; config: Record<string, { type: string; description: string; default?: unknown }> };
const keys = Object.entries(stackConfigSchema.shape as Record<string, z.ZodType>);
const requiredKeys = keys.filter(([, schema]) => !(schema instanceof z.ZodOptional)).map(([key]) => key);
const optionalKeys = keys.filter(([, schema]) => schema instanceof z.ZodOptional).map(([key]) => key);

describe("Pulumi.yaml, the project file users run", () => {
    it("names the project the stack program reads its config from", () => {
        assert.equal(project.name, PROJECT_NAME);
    });

    it("declares exactly the required keys, typed and described, so a new stack asks for nothing optional", () => {
        // Pulumi requires every declared key that has no default.
        assert.deepEqual(Object.keys(project.config).sort(), [...requiredKeys].sort());
        for (const [key, declaration] of Object.entries(project.config)) {
            assert.equal(declaration.default, undefined, key);
            assert.ok(declaration.type && declaration.description, `${key} needs a type and a description`);
        }
    });

    it("documents every optional key of the stack config schema", () => {
        const documented = projectFile
            .split("\n")
            .filter((line) => line.startsWith("#"))
            .join("\n");
        const missing = optionalKeys.filter((key) => !new RegExp(`[\\s,]${key}: `).test(documented));
        assert.deepEqual(missing, [], "optional keys missing from the comment in Pulumi.yaml");
    });
});
