/**
 * The Kubernetes provider's render mode output (`renderYamlToDirectory`): what the suite treats as
 * "the cluster". Reads every file, finds the gateway's token Secret and Deployment, and compares
 * two snapshots file by file.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** Every rendered file by its path relative to the render directory, with its exact text. */
export type RenderedFiles = ReadonlyMap<string, string>;

export function readRendered(dir: string): RenderedFiles {
    const files = new Map<string, string>();
    const walk = (relative: string) => {
        for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
            const child = path.join(relative, entry.name);
            if (entry.isDirectory()) {
                walk(child);
            } else {
                files.set(child, readFileSync(path.join(dir, child), "utf8"));
            }
        }
    };
    walk("");
    return files;
}

/** How two snapshots differ, by file. */
export interface RenderedDiff {
    readonly added: string[];
    readonly removed: string[];
    readonly changed: string[];
    /** Byte for byte the same. */
    readonly unchanged: string[];
}

export function diffRendered(before: RenderedFiles, after: RenderedFiles): RenderedDiff {
    const names = [...new Set([...before.keys(), ...after.keys()])].sort();
    return {
        added: names.filter((name) => !before.has(name)),
        removed: names.filter((name) => !after.has(name)),
        changed: names.filter((name) => before.has(name) && after.has(name) && before.get(name) !== after.get(name)),
        unchanged: names.filter((name) => before.has(name) && before.get(name) === after.get(name)),
    };
}

interface KubernetesObject {
    kind: string;
    metadata: { name: string; annotations?: Record<string, string> };
    data?: Record<string, string>;
    spec?: unknown;
}

interface PodTemplate {
    metadata: { annotations?: Record<string, string> };
    spec: { containers: { name: string; env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] }[] };
}

/** The gateway's token as rendered: its Secret and what the Deployment's pods get. */
export interface RenderedGateway {
    readonly secretFile: string;
    readonly secretName: string;
    /** The Secret's `value`, decoded: `GatewayKey <token>`. Never print it. */
    readonly authValue: string;
    readonly deploymentFile: string;
    /** The Deployment, parsed. */
    readonly deployment: { spec: { template: PodTemplate } };
    /** The Secret the gateway container's `config.service.auth` comes from. */
    readonly podSecretName: string;
    /** The pod template's `apim-gateway.pulumi.com/token-checksum`. */
    readonly podTokenChecksum: string | undefined;
}

const TOKEN_CHECKSUM = "apim-gateway.pulumi.com/token-checksum";

function objectsOfKind(files: RenderedFiles, kind: string): [string, KubernetesObject][] {
    return [...files.entries()]
        .map(([file, text]): [string, KubernetesObject] => [file, parse(text) as KubernetesObject])
        .filter(([, object]) => object.kind === kind);
}

/** Finds the one token Secret and the one Deployment; throws when either is missing or ambiguous. */
export function renderedGateway(files: RenderedFiles): RenderedGateway {
    const secrets = objectsOfKind(files, "Secret");
    const deployments = objectsOfKind(files, "Deployment");
    if (secrets.length !== 1 || deployments.length !== 1) {
        throw new Error(
            `expected one Secret and one Deployment, rendered ${secrets.length} and ${deployments.length}: ${[...files.keys()].join(", ")}`,
        );
    }
    const [[secretFile, secret]] = secrets;
    const [[deploymentFile, deployment]] = deployments;
    const template = (deployment.spec as { template: PodTemplate }).template;
    const auth = template.spec.containers.flatMap((container) => container.env ?? []).find((env) => env.name === "config.service.auth");
    return {
        secretFile,
        secretName: secret.metadata.name,
        authValue: Buffer.from(secret.data?.value ?? "", "base64").toString("utf8"),
        deploymentFile,
        deployment: deployment as unknown as RenderedGateway["deployment"],
        podSecretName: auth?.valueFrom?.secretKeyRef?.name ?? "",
        podTokenChecksum: template.metadata.annotations?.[TOKEN_CHECKSUM],
    };
}

/** The Deployment with the two fields a token rotation may change set to `from`'s: for comparing the rest. */
export function withTokenFieldsOf(deployment: RenderedGateway["deployment"], from: RenderedGateway): RenderedGateway["deployment"] {
    const copy = structuredClone(deployment);
    const template = copy.spec.template;
    template.metadata.annotations = { ...template.metadata.annotations, [TOKEN_CHECKSUM]: from.podTokenChecksum ?? "" };
    for (const env of template.spec.containers.flatMap((container) => container.env ?? [])) {
        if (env.name === "config.service.auth" && env.valueFrom?.secretKeyRef) {
            env.valueFrom.secretKeyRef.name = from.podSecretName;
        }
    }
    return copy;
}
