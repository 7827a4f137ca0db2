import { defineStack } from "./program";

export = defineStack();
