import { z } from "zod";
import { argumentShape, authModes } from "../components/validation/shape";

/**
 * The stack configuration: the component's arguments (the component's own shape schema, so each
 * key, enum and nested shape is defined once) plus the stack's own keys. Strict objects: a
 * misspelt key is an error, never silently ignored. Three keys differ from the component's:
 * YAML numbers are accepted as resource quantities, the Entra client secret has a key of its own
 * (a secret), and the renewal trigger comes from the rotation program's environment, not config.
 */

/** YAML reads `cpu: 2` as a number; Kubernetes quantities are strings. */
const quantity = z.union([z.string(), z.number().transform(String)]);
const quantities = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional(), "ephemeral-storage": quantity.optional() });

/** Keys of the component's arguments. */
export const componentConfigSchema = argumentShape.extend({
    resources: z.strictObject({ requests: quantities.optional(), limits: quantities.optional() }).optional(),
    auth: z
        .discriminatedUnion("type", [
            authModes.token,
            authModes.workloadIdentity,
            authModes.azureAdApp.omit({ clientSecret: true }),
            authModes.existingTokenSecret,
        ])
        .optional(),
    token: argumentShape.shape.token.unwrap().omit({ renewalTrigger: true }).optional(),
});

/** Keys of the stack itself: how to reach the cluster, and secrets kept out of the component's objects. */
export const stackConfigSchema = componentConfigSchema.extend({
    /** Kubeconfig contents (a secret); default the ambient kubeconfig. */
    kubeconfig: z.string().optional(),
    /** Kubeconfig context; default the current context. */
    kubeContext: z.string().optional(),
    /** Write manifests to this directory instead of applying them (the provider's render mode). */
    renderYamlToDirectory: z.string().optional(),
    /** Client secret for `auth.type: azureAdApp` (a secret). */
    azureAdClientSecret: z.string().optional(),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;

/** The component's part of the stack config. */
export type ComponentConfig = Omit<StackConfig, "kubeconfig" | "kubeContext" | "renderYamlToDirectory" | "azureAdClientSecret">;
