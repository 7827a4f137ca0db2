/** `npm run demo` flags: parsed with util.parseArgs, refused with a one-line reason. */
import { parseArgs } from "node:util";

export const DEMO_USAGE = `Usage: npm run demo [-- --keep]

Deploys the production example stack (stacks/Pulumi.prod.yaml) with the real Pulumi engine to a
local Kubernetes control plane, against emulated Azure (ARM and Entra ID on 127.0.0.1), shows the
gateway pods spread over the zones, then rotates the token with apim-gateway-rotate --force and
shows the rollout's lowest available replica count.

  --keep    leave everything running (Ctrl-C stops and removes it) and print the kubeconfig
  --help    this text`;

export interface DemoOptions {
    readonly keep: boolean;
    readonly help: boolean;
}

/** A flag the demo does not take; the message is one line. */
export class DemoUsageError extends Error {}

export function parseDemoArgs(argv: readonly string[]): DemoOptions {
    try {
        const { values } = parseArgs({
            args: [...argv],
            options: { keep: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
            strict: true,
            allowPositionals: false,
        });
        return { keep: values.keep, help: values.help };
    } catch (error) {
        throw new DemoUsageError(`${(error as Error).message.split("\n")[0]} (npm run demo -- --help)`);
    }
}
