// Supervision of the server under test: one implementation of start, watch,
// capture and restart, used by the CLI (--server-cmd), the library
// (runConformance({ server })) and the project's own tests (the kill matrix).
export { startServerProcess, freePort, accepts, describeExit, ServerProcess, ServerStartError, LISTENING_LINE, type ServerCommand, type ExitStatus } from './process.js';
export { OutputRing, headline, type OutputLine, type OutputOptions } from './output.js';
export { Supervisor, type SuperviseOptions, type ServerIncident } from './supervisor.js';
export { sampleProcessTree, pidProbe, procAvailable, formatSample, formatBytes, type ResourceSample, type ResourceProbe } from './resources.js';
