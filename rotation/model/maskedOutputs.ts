/** A stack's outputs as the rotation reads them: secrets masked, never their values. */

/**
 * One stack output as read with secrets masked. A secret's value is never handed out, so no code
 * above the seam can print it by accident.
 */
export type MaskedOutput = { readonly secret: false; readonly value: unknown } | { readonly secret: true };

/** A stack's outputs by name, secrets masked. */
export type MaskedOutputs = Readonly<Record<string, MaskedOutput>>;
