/**
 * `@actions/workflow-parser` is published as ES modules that import their JSON schema without an
 * import attribute (`import schema from "./workflow-v1.0.min.json"`), which bundlers accept and
 * Node.js refuses (ERR_IMPORT_ATTRIBUTE_MISSING). This resolve hook adds `type: "json"` to those
 * imports only, so the package runs unmodified under Node.js 22. Imported once, before the parser.
 */
import { registerHooks } from "node:module";

const PARSER_DIST = "/@actions/workflow-parser/dist/";

registerHooks({
    resolve(specifier, context, nextResolve) {
        const resolved = nextResolve(specifier, context);
        if (resolved.url.includes(PARSER_DIST) && resolved.url.endsWith(".json")) {
            return { ...resolved, importAttributes: { ...context.importAttributes, type: "json" } };
        }
        return resolved;
    },
});
