/** Which gateway key signs a token. Kept free of imports: it is part of the package's public types. */
export type GatewayKeyType = "primary" | "secondary";

/** The key that did not sign a token signed with `keyType`. */
export function otherKeyType(keyType: GatewayKeyType): GatewayKeyType {
    return keyType === "primary" ? "secondary" : "primary";
}
