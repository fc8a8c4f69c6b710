// Moved to shared/storage/memory.ts (the rule unit-test runner uses it too); kept here for the existing tests.
export { MemoryStorage, type MemorySeries } from "../../shared/storage/memory";
