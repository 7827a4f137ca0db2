import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const COMPONENTS = path.resolve(__dirname, "../../components");

function sources(dir: string): { file: string; text: string }[] {
    return readdirSync(path.join(COMPONENTS, dir))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => ({ file: `${dir}/${f}`, text: readFileSync(path.join(COMPONENTS, dir, f), "utf8") }));
}

function importsOf(text: string): string[] {
    return [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
}

describe("SelfHostedGateway: module structure", () => {
    it("validation/ does not import the defaults (rules needing them run on the resolved settings)", () => {
        for (const { file, text } of sources("validation")) {
            assert.ok(!importsOf(text).includes("../defaults"), `${file} imports the defaults`);
        }
    });

    it("auth/ and k8s/ do not import each other both ways", () => {
        const authToK8s = sources("auth").filter(({ text }) => importsOf(text).some((i) => i.startsWith("../k8s/")));
        const k8sToAuth = sources("k8s").filter(({ text }) => importsOf(text).some((i) => i.startsWith("../auth/")));
        assert.ok(authToK8s.length === 0 || k8sToAuth.length === 0, `cycle: ${[...authToK8s, ...k8sToAuth].map((s) => s.file).join(", ")}`);
    });

    it("the token policy has one owner: no other module defines the maximum lifetime or the defaults", () => {
        const all = ["", "validation", "token", "k8s", "auth"].flatMap((dir) => sources(dir || "."));
        const owners = all.filter(({ text }) =>
            /export const (MAX_TOKEN_VALIDITY_DAYS|maxValidityDays|TOKEN_DEFAULTS|tokenDefaults)\b/.test(text),
        );
        assert.deepEqual(
            owners.map((o) => o.file),
            ["token/policy.ts"],
        );
    });

    it("each enum of the arguments is defined once, in enums.ts", () => {
        const args = readFileSync(path.join(COMPONENTS, "args.ts"), "utf8");
        assert.ok(
            !/"production" \| "development"|"LoadBalancer" \| "NodePort"|"DoNotSchedule" \| "ScheduleAnyway"/.test(args),
            "args.ts spells an enum out",
        );
        const checks = sources("validation").filter(({ text }) => /\["(text|auto|Always|ClusterFirst|LoadBalancer)", /.test(text));
        assert.deepEqual(
            checks.map((c) => c.file),
            [],
            "a validation module spells an enum out",
        );
    });
});
