/**
 * Syntax checks for the Kubernetes and container-image strings the component accepts, so that bad
 * values fail at construction with the argument's name instead of later at the API server.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const QUANTITY = /^([+]?[0-9]+(\.[0-9]*)?|[+]?\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const PERCENT = /^[0-9]+%$/;

/** RFC 1123 label: Namespace names. */
export function isDns1123Label(value: string): boolean {
    return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** RFC 1035 label: Service names, so also the base of every object name here. */
export function isDns1035Label(value: string): boolean {
    return value.length <= 63 && DNS1035_LABEL.test(value);
}

/** RFC 1123 subdomain: Secret, PVC and PriorityClass names. */
export function isDns1123Subdomain(value: string): boolean {
    return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** A label or annotation key: optional DNS subdomain prefix and a name of at most 63 characters. */
export function isQualifiedName(key: string): boolean {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && !isDns1123Subdomain(prefix)) {
        return false;
    }
    return name.length <= 63 && LABEL_NAME.test(name);
}

/** A label value: at most 63 characters of the allowed set, possibly empty. */
export function isLabelValue(value: string): boolean {
    return value.length <= 63 && LABEL_VALUE.test(value);
}

/** A ConfigMap data key. */
export function isConfigMapKey(key: string): boolean {
    return key.length <= 253 && CONFIG_MAP_KEY.test(key);
}

/** A Kubernetes resource quantity such as `500m`, `2`, `2Gi` or `1e3`. */
export function isQuantity(value: string): boolean {
    return QUANTITY.test(value);
}

const SUFFIX_FACTORS: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/** The numeric value of a quantity (for comparing requests with limits), or `undefined` if invalid. */
export function quantityValue(value: string): number | undefined {
    const match = QUANTITY.exec(value);
    if (!match) {
        return undefined;
    }
    const suffix = match[3] ?? "";
    const number = Number(match[1]);
    if (/^[eE]/.test(suffix)) {
        return number * 10 ** Number(suffix.slice(1));
    }
    return number * SUFFIX_FACTORS[suffix];
}

/** An int-or-string field such as `maxSurge`: a non-negative integer or a percentage. */
export function isIntOrPercent(value: unknown): value is number | string {
    return (typeof value === "number" && Number.isInteger(value) && value >= 0) || (typeof value === "string" && PERCENT.test(value));
}

/** Whether an int-or-percent value is zero (`0` or `"0%"`). */
export function isZeroIntOrPercent(value: number | string): boolean {
    return typeof value === "number" ? value === 0 : Number.parseInt(value, 10) === 0;
}

/** A whole number within bounds. */
export function isIntegerInRange(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
    return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}
