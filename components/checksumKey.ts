import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** Bytes of the HMAC key: as long as the SHA-256 output, the size RFC 2104 recommends. */
const KEY_BYTES = 32;

/**
 * The ChecksumKey dynamic provider: it only stores its input. Nothing ever changes the key
 * (`diff` reports no changes), so the checksums stay stable for the life of the stack. Pulumi
 * serializes this object into the state, so it captures nothing.
 */
export const checksumKeyProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: Record<string, unknown>) {
        return { id: "checksum-key", outs: { key: inputs.key } };
    },
    async diff() {
        return { changes: false };
    },
    async read(id: string, props: Record<string, unknown>) {
        return { id, props };
    },
};

/**
 * A per-stack random key, kept as a secret in the state, for the checksums on the pod template
 * and in content-derived object names. A plain hash of a secret on a pod (which anyone who can
 * read pods sees) would let them test guessed client secrets or tokens offline; an HMAC under a
 * key they cannot read does not.
 *
 * The key is drawn by the program on every run but only the first one is kept: `ignoreChanges`
 * makes the engine use the stored value from then on. So every program run has a key, also under
 * unit-test mocks that echo inputs, and a preview of a new stack shows it as a secret input. A
 * dynamic resource needs no extra provider package (unlike `@pulumi/random`) and, unlike a key
 * derived from another secret, exists in every auth mode.
 */
export class ChecksumKey extends pulumi.dynamic.Resource {
    /** Base64 of 32 random bytes; always a secret. */
    declare readonly key: pulumi.Output<string>;

    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
        super(
            checksumKeyProvider,
            name,
            { key: pulumi.secret(randomBytes(KEY_BYTES).toString("base64")) },
            pulumi.mergeOptions(opts, { ignoreChanges: ["key"], additionalSecretOutputs: ["key"] }),
            "apim-gateway",
            "ChecksumKey",
        );
    }
}
