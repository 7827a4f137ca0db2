/** Where the CLI keeps Node's compile cache: the user's cache directory, never a shared one. */
import { homedir } from "node:os";
import * as path from "node:path";

/** `$XDG_CACHE_HOME/apim-gateway-rotate/node-compile-cache`, else under `~/.cache`. */
export function compileCacheDir(env: NodeJS.ProcessEnv): string {
    const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(homedir(), ".cache");
    return path.join(base, "apim-gateway-rotate", "node-compile-cache");
}
