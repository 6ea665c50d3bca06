// Every conformance case, in the order of the spec's sections (but see robustness).
import type { ConformanceCase } from '../src/runner/case.js';
import * as frame from './frame/segmentation.js';
import * as join from './join/join.js';
import * as chat from './chat/delivery.js';
import * as empty from './chat/empty.js';
import * as leave from './leave/leave.js';
import * as idle from './idle/idle.js';
import * as cleanup from './cleanup/cleanup.js';
import * as isolation from './isolation/isolation.js';
import * as robust from './robust/robustness.js';
import * as cmd from './cmd/commands.js';
import * as replies from './cmd/replies.js';
import * as ident from './ident/identity.js';
import * as names from './ident/names.js';
import { modelCases } from './model/scenarios.js';
import * as resources from './resources/resources.js';
import * as deadline from './deadline/deadline.js';

export const allCases: readonly ConformanceCase[] = [
  frame.splitWrites,
  frame.coalescedWrites,
  frame.crlf,
  frame.utf8Split,
  frame.finalLineWithoutLf,
  frame.rawPauseEndsLine,
  frame.serverLines,
  frame.longLinesWithinMax,
  frame.nameopPipeInMsg,
  deadline.lineDeadline,
  join.joinNotices,
  join.joinMany,
  join.welcome,
  deadline.joinDeadline,
  chat.exactlyOnce,
  chat.senderFifo,
  chat.concurrentSenders,
  empty.emptyLines,
  chat.totalOrder,
  leave.leaveFin,
  leave.leaveRst,
  leave.leaveQuit,
  leave.linesBeforeFin,
  idle.idleLeave,
  idle.idleReset,
  idle.idlePartialLine,
  cleanup.whoAfterLeave,
  cleanup.flowAfterLeave,
  cleanup.nameReuse,
  cleanup.churn,
  // Robustness runs before isolation, and structured input before random
  // garbage: each robust case sends one kind of hostile input, so a server
  // that crashes is charged to the input that crashed it, not to the 8 KiB
  // floods and mixed garbage of the isolation cases (see the kill matrix).
  ...robust.longLines,
  robust.malformed,
  robust.invalidUtf8,
  robust.binaryGarbage,
  robust.halfClose,
  robust.resetMidLine,
  robust.bytePerWrite,
  robust.connectBurst,
  robust.acceptPath,
  robust.malformedNameopErrors,
  isolation.slowReader,
  isolation.pausedReader,
  isolation.hostilePeer,
  cmd.who,
  cmd.rename,
  cmd.privateMessage,
  cmd.privateUnknown,
  cmd.groups,
  cmd.groupNonMember,
  replies.replyAudience,
  ident.takenName,
  ident.spoofedName,
  ident.beforeLogin,
  names.controlNames,
  ...modelCases,
  // Last: they measure the process after everything else has run (a leak has had the whole run to grow).
  resources.earlyLeavers,
  resources.idleCpu,
  resources.connectionLeaks,
  resources.stoppedReaderMemory,
];

/** The section of a case ID: the part before the slash. */
export const sectionOfCase = (id: string): string => id.slice(0, id.indexOf('/'));
