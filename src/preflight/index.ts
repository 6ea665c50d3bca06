// The preflight (profile against live server) and the setup-failure breaker.
export { runPreflight, formatPreflight, preflightResult, diagnose, PREFLIGHT_ID, PREFLIGHT_TITLE, type PreflightResult, type PreflightFailure, type PreflightKind } from './preflight.js';
export { nearestTemplate, editDistance, generalise, difference, type NearMiss } from './nearest.js';
export { reachable } from './reach.js';
export { SetupBreaker } from './breaker.js';
export { checkProfile, type CheckOptions } from './check.js';
