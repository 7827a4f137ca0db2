/**
 * A temporary Pulumi "installation" whose `bin/pulumi` is fixtures/fake-pulumi.js, and a project
 * directory, for exercising the Automation API backend and the real CLI without the Pulumi CLI.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const DAY = 24 * 60 * 60 * 1000;

export interface FakeStackState {
    outputs: Record<string, unknown>;
    secrets: string[];
    locked?: number;
    /** Who holds that lock; default pid 4242 on runner-1. */
    lockedBy?: { pid: number; host: string };
    hang?: boolean;
    failUp?: string;
    /** Steps beyond the rotation's that a preview or update shows (pending changes), as engine step metadata. */
    extraSteps?: { urn: string; op: string; diffs?: string[]; detailedDiff?: Record<string, { diffKind: string; inputDiff: boolean }> }[];
    /** The gateway each GatewayToken's state names, by URN (`stack export`); default: its unit's own. */
    tokenState?: Record<string, string>;
}

export interface FakeCall {
    args: string[];
    trigger: string | null;
    /** The `NODE_COMPILE_CACHE` the command saw (the engine's Node.js processes inherit it). */
    compileCache: string | null;
    cwd: string;
    /** The first PATH entry the command saw. */
    pathHead: string;
}

export interface FakePulumi {
    /** Pass as `--pulumi-root`. */
    readonly root: string;
    /** A project directory with a Pulumi.yaml. */
    readonly workDir: string;
    calls(): FakeCall[];
    stacks(): Record<string, FakeStackState>;
    remove(): void;
}

/** Rotation targets of the fake stacks' one gateway. */
export const FAKE_TARGETS = {
    token: "urn:pulumi:dev::apim-gateway::apim-gateway:index:SelfHostedGateway$apim-gateway:index:GatewayToken::gateway-token",
    secret: "urn:pulumi:dev::apim-gateway::apim-gateway:index:SelfHostedGateway$kubernetes:core/v1:Secret::gateway-token-secret",
    deployment: "urn:pulumi:dev::apim-gateway::apim-gateway:index:SelfHostedGateway$kubernetes:apps/v1:Deployment::gateway",
};

/** Outputs of a deployed one-gateway token stack whose token expires in `expiresInDays` (renewable 10 days before). */
export function fakeTokenOutputs(expiresInDays: number, keyType: "primary" | "secondary" = "primary"): FakeStackState {
    const expiresAt = Date.now() + expiresInDays * DAY;
    return {
        outputs: {
            apimGatewayRotation: {
                gateway: {
                    authType: "token",
                    gatewayResourceId:
                        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups" +
                        "/rg1/providers/Microsoft.ApiManagement/service/apim1/gateways/gw1",
                    tokenExpiresAt: new Date(expiresAt).toISOString(),
                    tokenRenewAfter: new Date(expiresAt - 10 * DAY).toISOString(),
                    tokenIssuedAt: new Date(expiresAt - 30 * DAY).toISOString(),
                    tokenKeyType: keyType,
                    rotationTargets: FAKE_TARGETS,
                },
            },
            token: "GatewayKey gw1&202507151200&b2xkLXNpZ25hdHVyZQ==",
        },
        secrets: ["token"],
    };
}

export function createFakePulumi(stacks: Record<string, FakeStackState>): FakePulumi {
    const root = mkdtempSync(path.join(tmpdir(), "fake-pulumi-"));
    const stateDir = path.join(root, "state");
    const workDir = path.join(root, "project");
    mkdirSync(path.join(root, "bin"));
    mkdirSync(stateDir);
    mkdirSync(workDir);
    writeFileSync(path.join(workDir, "Pulumi.yaml"), "name: apim-gateway\nruntime: nodejs\n");
    writeFileSync(path.join(stateDir, "state.json"), JSON.stringify({ stacks }));
    writeFileSync(path.join(stateDir, "calls.jsonl"), "");
    const shim = path.join(root, "bin", "pulumi");
    const script = path.join(__dirname, "fixtures", "fake-pulumi.js");
    writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${script}" "${stateDir}" "$@"\n`);
    chmodSync(shim, 0o755);
    return {
        root,
        workDir,
        calls: () =>
            readFileSync(path.join(stateDir, "calls.jsonl"), "utf8")
                .split("\n")
                .filter((line) => line !== "")
                .map((line) => JSON.parse(line) as FakeCall),
        stacks: () =>
            (JSON.parse(readFileSync(path.join(stateDir, "state.json"), "utf8")) as { stacks: Record<string, FakeStackState> }).stacks,
        remove: () => rmSync(root, { recursive: true, force: true }),
    };
}
