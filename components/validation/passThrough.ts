import * as pulumi from "@pulumi/pulumi";
/** Rules for values passed through to the pods: labels, annotations, env, scheduling. */
import { SelfHostedGatewayArgs } from "../args";
import { ANNOTATION_PREFIX, AUTH_ENV, CLIENT_SECRET_ENV, LABEL_KEYS, SSL_CERT_FILE_ENV } from "../constants";
import { isConfigMapKey, isDns1123Subdomain } from "../formats";
import { managedSettingFor } from "./managedKeys";
import { checkAnnotations, checkLabels, Problems } from "./checks";

/** Labels the component sets itself; a user value would break selectors or workload identity. */
const RESERVED_LABELS: readonly string[] = Object.values(LABEL_KEYS);

export function checkPodPassThrough(args: SelfHostedGatewayArgs, p: Problems): void {
    checkLabels(p, "labels", args.labels, RESERVED_LABELS);
    checkLabels(p, "nodeSelector", args.nodeSelector, []);
    checkAnnotations(p, "podAnnotations", args.podAnnotations);
    for (const key of Object.keys(args.podAnnotations ?? {})) {
        if (key.startsWith(ANNOTATION_PREFIX)) {
            p.add(
                `podAnnotations["${key}"]`,
                `uses the prefix ${ANNOTATION_PREFIX} that the component's checksums own`,
                "Choose another annotation key.",
            );
        }
    }
    if (
        args.priorityClassName !== undefined &&
        (typeof args.priorityClassName !== "string" || !isDns1123Subdomain(args.priorityClassName))
    ) {
        p.add("priorityClassName", `"${String(args.priorityClassName)}" is not a valid PriorityClass name`, "Fix the name.");
    }
    const seen = new Set<string>();
    const names: [string, unknown][] = [
        ...(args.env ?? []).map((env, index) => [`env[${index}].name`, env?.name] as [string, unknown]),
        ...Object.keys(args.secretEnv ?? {}).map((name) => [`secretEnv["${name}"]`, name] as [string, unknown]),
    ];
    for (const [arg, name] of names) {
        if (pulumi.Output.isInstance(name)) {
            // Known only later (a secret from the stack config, checked there as plain text).
            continue;
        }
        if (typeof name !== "string" || name.length === 0 || name.includes("=")) {
            p.add(arg, `${JSON.stringify(name)} is not an environment variable name`, "Give a plain string name without '='.");
            continue;
        }
        if (arg.startsWith("secretEnv") && !isConfigMapKey(name)) {
            p.add(arg, "is not usable as a Secret key (letters, digits, '-', '_' and '.')", "Rename it.");
        }
        if (name === AUTH_ENV) {
            p.add(
                arg,
                `must not set ${AUTH_ENV}: the component sets it from auth (the token Secret or the Entra mode)`,
                "Remove it and choose the mode with auth.",
            );
        } else if (name === CLIENT_SECRET_ENV) {
            p.add(arg, `must not set ${CLIENT_SECRET_ENV}: it comes from auth.clientSecret`, "Remove it and set auth.clientSecret.");
        } else if (name === SSL_CERT_FILE_ENV && args.customCaCertificates !== undefined && args.customCaCertificates.length > 0) {
            p.add(arg, `must not set ${SSL_CERT_FILE_ENV}: customCaCertificates points it at the merged trust bundle`, "Remove it.");
        } else {
            const managed = managedSettingFor(name);
            if (managed) {
                p.add(
                    arg,
                    `must not set ${name}: the component manages ${managed.key} (from ${managed.option}) and env would override it`,
                    `Remove it and use ${managed.option}.`,
                );
            }
        }
        if (seen.has(name)) {
            p.add(arg, `${name} is listed twice (env and secretEnv share one environment)`, "Keep one entry.");
        }
        seen.add(name);
    }
}
