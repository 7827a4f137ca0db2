/** `npm run demo` flags: parsed with util.parseArgs, refused with a one-line reason. */
import { parseArgs } from "node:util";

export const DEMO_USAGE = `Usage: npm run demo [-- --keep] [-- --kube-context NAME [--kubeconfig FILE]]

Deploys the production example stack (stacks/Pulumi.prod.yaml) with the real Pulumi engine to a
local Kubernetes control plane, against emulated Azure (ARM and Entra ID on 127.0.0.1), shows the
gateway pods spread over the zones, then rotates the token with apim-gateway-rotate --force and
shows the rollout's lowest available replica count.

  --kube-context NAME  deploy to this context's existing cluster instead, with the pulumi CLI on
                       PATH (no toolchain is built); Azure is still emulated. The stack is destroyed
                       at the end, leaving the cluster as found. The nodes need the label
                       topology.kubernetes.io/zone. On nodes with a real kubelet (kind, ...) the
                       gateway containers start and cannot reach the emulated Azure: see docs/demo.md
  --kubeconfig FILE    the kubeconfig holding that context (default: as kubectl, $KUBECONFIG,
                       else ~/.kube/config)
  --keep               leave everything running (Ctrl-C stops and removes it) and print the kubeconfig
  --help               this text`;

/** Where the demo deploys. */
export type DemoTarget =
    /** The local control plane it starts itself, with the pinned toolchains. */
    | { readonly kind: "local" }
    /** A context of an existing kubeconfig, with the `pulumi` on PATH. */
    | {
          readonly kind: "context";
          readonly context: string;
          /** `--kubeconfig`; undefined for kubectl's default ($KUBECONFIG, else ~/.kube/config). */
          readonly kubeconfig?: string;
      };

export interface DemoOptions {
    readonly keep: boolean;
    readonly help: boolean;
    readonly target: DemoTarget;
}

/** A flag the demo does not take, or a setting it cannot use; the message is one line. */
export class DemoUsageError extends Error {}

const HINT = "(npm run demo -- --help)";

export function parseDemoArgs(argv: readonly string[]): DemoOptions {
    let values;
    try {
        ({ values } = parseArgs({
            args: [...argv],
            options: {
                keep: { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
                "kube-context": { type: "string" },
                kubeconfig: { type: "string" },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (error) {
        throw new DemoUsageError(`${(error as Error).message.split("\n")[0]} ${HINT}`);
    }
    const context = values["kube-context"];
    const kubeconfig = values.kubeconfig;
    for (const [flag, value] of [
        ["--kube-context", context],
        ["--kubeconfig", kubeconfig],
    ] as const) {
        if (value !== undefined && value.trim() === "") {
            throw new DemoUsageError(`${flag} needs a value ${HINT}`);
        }
    }
    if (kubeconfig !== undefined && context === undefined) {
        throw new DemoUsageError(`--kubeconfig only goes with --kube-context NAME: say which of its contexts to deploy to ${HINT}`);
    }
    const target: DemoTarget =
        context === undefined ? { kind: "local" } : { kind: "context", context, ...(kubeconfig !== undefined ? { kubeconfig } : {}) };
    return { keep: values.keep, help: values.help, target };
}
