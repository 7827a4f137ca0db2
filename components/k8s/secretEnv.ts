import * as k8s from "@pulumi/kubernetes";
import { BuildContext } from "../buildContext";
import { hashedSecret } from "../hashedSecret";

/**
 * The `secretEnv` variables: one content-named Secret holding them all, and the gateway
 * container's env entries reading each through `secretKeyRef`. A new value is a new Secret name
 * in the pod template, so the pods roll; the Deployment never holds a value. Empty without any.
 */
export function secretEnvVars(context: BuildContext): k8s.types.input.core.v1.EnvVar[] {
    const values = context.settings.workload.secretEnv;
    const names = Object.keys(values);
    if (names.length === 0) {
        return [];
    }
    const stored = hashedSecret(context, `${context.name}-secret-env`, { prefix: context.settings.names.secretEnvPrefix, data: values });
    return names.map((name) => ({ name, valueFrom: { secretKeyRef: { name: stored.name, key: name } } }));
}
