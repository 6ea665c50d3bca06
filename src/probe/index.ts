// Drafting a profile from a live server.
export { probeServer, recurringNoise, type ProbeOptions, type ProbeResult } from './probe.js';
export { templateOf, oneWordApart, tokens, varyingTemplate, namingTemplate, assignedNames, namePatternFor } from './infer.js';
