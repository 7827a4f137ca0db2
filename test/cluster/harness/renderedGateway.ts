/** The gateway's Kubernetes objects as the component builds them, rendered without an engine (see renderGateway.ts). */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { SelfHostedGatewayArgs } from "../../../components";

/** One Kubernetes object of the component, as it would be applied. */
export interface RenderedObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
    readonly [key: string]: unknown;
}

/** What the fixture adds to the unit tests' smallest valid arguments (test/component/support.ts). */
export const RENDER_OVERRIDES: Partial<SelfHostedGatewayArgs> = {
    // A plain and a Secret-backed variable besides `config.service.auth`, for the attacks to repoint.
    env: [{ name: "EXTRA_SETTING", value: "1" }],
    secretEnv: { BACKEND_KEY: "backend-key-value" },
};

/** The component's Kubernetes objects (Namespace, Secrets, Deployment, ...), rendered in a child process. */
export function renderedGateway(): RenderedObject[] {
    const output = execFileSync(
        process.execPath,
        [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(__dirname, "renderGateway.ts")],
        { encoding: "utf8", maxBuffer: 16 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] },
    );
    return JSON.parse(output) as RenderedObject[];
}
