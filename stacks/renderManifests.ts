/** `npm run render`: the Kubernetes objects a stack would create, as YAML, evaluated offline (the USAGE below). */
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { REDACTED, SecretUnwrapper, redactManifest } from "../rotation/report/redaction";
import { isStructuredKey, PROJECT_NAME } from "./config";
import { defineStack } from "./program";
import { INSTANCE_CHECK_INVOKE, RecordedResource, recordingMocks } from "./renderMocks";
import { loadStackFile, resolveStackFile, RuntimeConfig, SECRET_PLACEHOLDER } from "./stackFile";

const USAGE = `Usage: npm run render -- <stack | path/to/Pulumi.<stack>.yaml>

Evaluates the stack's program offline (no engine, no cloud, no cluster) and prints the Kubernetes
objects it would create as YAML, secret values redacted, for review in pull requests.
Exit codes: 0 rendered; 1 no such stack file, invalid configuration or program error; 2 usage error.`;

/** apply order, as `helm template` prints it: what others depend on comes first. */
const KIND_ORDER = [
    "Namespace",
    "NetworkPolicy",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "Service",
    "Deployment",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
];

/** A value the program marked secret, as the SDK's runtime marks it. */
const unwrapSecret: SecretUnwrapper = (value) =>
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
        ? { value: (value as { value: unknown }).value }
        : undefined;

function kubernetesObjects(records: RecordedResource[]): Record<string, unknown>[] {
    const rank = (kind: unknown) => {
        const index = KIND_ORDER.indexOf(String(kind));
        return index === -1 ? KIND_ORDER.length : index;
    };
    return records
        .filter((r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes")
        .map((r) => redactManifest(r.inputs, unwrapSecret))
        .sort((a, b) => rank(a.kind) - rank(b.kind));
}

function azureResources(records: RecordedResource[]): string[] {
    return records.filter((r) => r.type.startsWith("azure-native:")).map((r) => `${r.type} "${r.name}"`);
}

/**
 * A structured key stored encrypted as a whole (`pulumi config set --secret env '[…]'`) is only a
 * placeholder offline, not the list or object it holds: it is left out of the render (and named
 * in its header) rather than failing the config check. Returns the keys left out.
 */
function omitOpaqueSecrets(config: RuntimeConfig): string[] {
    const prefix = `${PROJECT_NAME}:`;
    const opaque = config.secretKeys.filter(
        (key) => key.startsWith(prefix) && config.values[key] === SECRET_PLACEHOLDER && isStructuredKey(key.slice(prefix.length)),
    );
    for (const key of opaque) {
        delete config.values[key];
    }
    config.secretKeys = config.secretKeys.filter((key) => !opaque.includes(key));
    return opaque;
}

/** Renders one stack; returns the YAML text. Throws on invalid configuration. */
export async function renderStack(stackFile: string): Promise<string> {
    const config = loadStackFile(stackFile);
    const omitted = omitOpaqueSecrets(config);
    const stack = path
        .basename(stackFile)
        .replace(/^Pulumi\./, "")
        .replace(/\.ya?ml$/, "");
    const records: RecordedResource[] = [];
    const invokes: string[] = [];
    await pulumi.runtime.setMocks(recordingMocks(records, invokes), PROJECT_NAME, stack, false);
    pulumi.runtime.setAllConfig(config.values, config.secretKeys);
    defineStack();
    await pulumi.runtime.disconnect();

    const header = [
        `# Rendered offline from ${path.relative(process.cwd(), stackFile)} (stack "${stack}"); nothing was deployed.`,
        `# Secret values are ${REDACTED}; names and checksums derived from the access token use a placeholder token.`,
        ...omitted.map((key) => `# '${key}' is a secret structured value that cannot be decrypted offline; rendered without it.`),
        ...azureResources(records).map((r) => `# Azure resource (not rendered): ${r}`),
        ...(invokes.includes(INSTANCE_CHECK_INVOKE)
            ? [
                  "# Not checked offline: that the API Management instance has a system-assigned " +
                      "identity (preview and up check it); ids Azure assigns read <assigned-by-azure>.",
              ]
            : []),
    ].join("\n");
    const documents = kubernetesObjects(records).map((object) => stringify(object, { lineWidth: 0 }));
    return `${header}\n---\n${documents.join("---\n")}`;
}

async function main(argv: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    if (parsed.values.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    if (parsed.positionals.length !== 1) {
        process.stderr.write(`Expected exactly one stack name or stack file.\n\n${USAGE}\n`);
        return 2;
    }
    try {
        process.stdout.write(await renderStack(resolveStackFile(parsed.positionals[0], __dirname)));
        return 0;
    } catch (err) {
        process.stderr.write(`render: ${(err as Error).message}\n`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
