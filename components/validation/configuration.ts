/** Rules for gateway settings, custom CA certificates and the configuration backup. */
import { SelfHostedGatewayArgs } from "../args";
import { caCertificateProblem } from "./caCertificates";
import { isConfigMapKey, isDns1123Subdomain, isQuantity } from "../formats";
import { managedSettingFor } from "./managedKeys";
import { Problems } from "./checks";

/** A DNS host name with an optional port: what `config.service.endpoint` takes. */
const HOST_AND_PORT =
    /^(?=.{1,253}(:|$))[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::\d{1,5})?$/;

export function checkConfiguration(args: SelfHostedGatewayArgs, p: Problems): void {
    const endpoint = args.configuration?.endpoint;
    if (typeof endpoint === "string" && !HOST_AND_PORT.test(endpoint)) {
        const insecure = /^http:\/\//i.test(endpoint);
        p.add(
            "configuration.endpoint",
            insecure
                ? `"${endpoint}" is an http:// URL; the gateway would send its access token unencrypted`
                : `"${endpoint}" is not a host name with an optional port (no scheme, no path)`,
            'Give the host only, e.g. "contoso.configuration.azure-api.net" or "config.contoso.com:443"; the gateway always uses TLS.',
        );
    }
    const settings = args.configuration?.settings;
    for (const key of Object.keys(settings ?? {})) {
        if (!isConfigMapKey(key)) {
            p.add(`configuration.settings["${key}"]`, "is not a valid setting name (letters, digits, '-', '_' and '.')", "Fix the key.");
        } else {
            const managed = managedSettingFor(key);
            if (managed) {
                const variant =
                    managed.key === key ? "" : ` (the gateway reads it as ${managed.key}: names ignore case, and '_' stands for '.')`;
                p.add(
                    `configuration.settings["${key}"]`,
                    `collides with a setting the component manages (from ${managed.option})${variant}`,
                    `Remove it and use ${managed.option}.`,
                );
            }
        }
    }
}

export function checkCustomCa(args: SelfHostedGatewayArgs, p: Problems): void {
    if (args.customCaCertificates === undefined) {
        return;
    }
    args.customCaCertificates.forEach((pem, index) => {
        const problem = caCertificateProblem(pem);
        if (problem) {
            p.add(
                `customCaCertificates[${index}]`,
                problem,
                "Pass the PEM of the CA that signs the endpoint's certificate, one certificate per entry.",
            );
        }
    });
}

export function checkConfigBackup(args: SelfHostedGatewayArgs, p: Problems): void {
    const b = args.configBackup;
    if (b === undefined) {
        return;
    }
    if (b.existingClaimName !== undefined) {
        if (typeof b.existingClaimName !== "string" || !isDns1123Subdomain(b.existingClaimName)) {
            p.add(
                "configBackup.existingClaimName",
                `"${String(b.existingClaimName)}" is not a valid claim name`,
                "Give the name of an existing PersistentVolumeClaim in the namespace.",
            );
        }
        for (const key of ["storageClassName", "accessMode", "size"] as const) {
            if (b[key] !== undefined) {
                p.add(
                    `configBackup.${key}`,
                    "has no effect with configBackup.existingClaimName (the claim exists already)",
                    `Remove ${key}, or let the component create the claim.`,
                );
            }
        }
    }
    if (b.size !== undefined && (typeof b.size !== "string" || !isQuantity(b.size))) {
        p.add("configBackup.size", `${JSON.stringify(b.size)} is not a Kubernetes quantity`, 'Use e.g. "50Mi".');
    }
    if (b.storageClassName !== undefined && (typeof b.storageClassName !== "string" || !isDns1123Subdomain(b.storageClassName))) {
        p.add("configBackup.storageClassName", `"${String(b.storageClassName)}" is not a valid StorageClass name`, "Fix the name.");
    }
}

/** IANA cipher suite names, as the gateway takes them (e.g. `TLS_AES_256_GCM_SHA384`). */
const CIPHER_SUITE = /^[A-Z0-9_]+$/;

export function checkTls(args: SelfHostedGatewayArgs, p: Problems): void {
    for (const key of ["serverCipherSuites", "clientCipherSuites"] as const) {
        const suites = args.tls?.[key];
        if (suites === undefined) {
            continue;
        }
        if (suites.length === 0) {
            p.add(
                `tls.${key}`,
                "is empty, which would allow no cipher suite at all",
                "List the allowed suites, or remove it for the gateway's defaults.",
            );
        }
        suites.forEach((suite, index) => {
            if (!CIPHER_SUITE.test(suite)) {
                p.add(
                    `tls.${key}[${index}]`,
                    `${JSON.stringify(suite)} is not a cipher suite name`,
                    'Use IANA names such as "TLS_AES_256_GCM_SHA384", one per entry.',
                );
            }
        });
    }
}
