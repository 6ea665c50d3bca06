// The requirement registry: the spec's requirements as data. spec/*.md states
// the same IDs in prose; test/spec-registry.test.ts fails when the two differ.
// IDs are stable: never renumber, only add (and mark removed ones `retired`).

export type Level = 'MUST' | 'SHOULD' | 'MAY';

export type Section =
  | 'FRAME'
  | 'JOIN'
  | 'CHAT'
  | 'LEAVE'
  | 'CLEANUP'
  | 'ISOLATION'
  | 'ROBUST'
  | 'CMD'
  | 'IDENT'
  | 'IDLE'
  | 'ORDER'
  | 'PROC'
  | 'NOTICE';

export interface Requirement {
  readonly id: string;
  readonly level: Level;
  /** One sentence a test can check, in the spec's own words. */
  readonly text: string;
  /** The spec file that states it. */
  readonly doc: 'core.md' | 'line.md' | 'nameop.md';
}

const r = (id: string, level: Level, text: string, doc: Requirement['doc'] = 'core.md'): Requirement => ({
  id,
  level,
  text,
  doc,
});

export const requirements: readonly Requirement[] = [
  // Framing (wire formats)
  r('FRAME-1', 'MUST', 'A line split across several TCP writes, with delays between them, MUST be handled exactly as the same line sent in one write.', 'line.md'),
  r('FRAME-2', 'MUST', 'Several lines in one TCP write MUST be handled as separate lines, in their order.', 'line.md'),
  r('FRAME-3', 'MUST', 'Every line the server sends MUST end with LF, and one server line MUST carry exactly one notice.', 'line.md'),
  r('FRAME-4', 'SHOULD', 'A line that ends with CR LF SHOULD be handled as the same line without the CR.', 'line.md'),
  r('FRAME-5', 'MUST', 'A multi-byte UTF-8 character split across TCP writes MUST be delivered intact.', 'line.md'),
  r('FRAME-6', 'SHOULD', 'A final line without LF, followed by the end of the stream, SHOULD be handled as a line.', 'line.md'),
  r('FRAME-7', 'MUST', 'A nameop Msg is the rest of the line: a Msg that contains "|" MUST be delivered whole.', 'nameop.md'),
  r('FRAME-8', 'MUST', 'A line shorter than the maximum line length, up to one byte under maxLineBytes, MUST be handled as one line and delivered whole.', 'line.md'),
  r('FRAME-9', 'MUST', 'In raw, bytes a sender wrote after its last LF MUST be relayed as a line of their own, LF added, once the sender has sent nothing for 500 ms; bytes after them start a new line.', 'line.md'),
  r('FRAME-10', 'MUST', 'Where the profile declares a line deadline (lineTimeoutMs), a connection whose line has not ended (LF) within it of its first byte MUST be ended; a line whose bytes all arrive within it MUST NOT end the connection, whatever came before it or how long the connection is silent after it.', 'line.md'),

  // Join
  r('JOIN-1', 'MUST', 'When a member joins, every other member present MUST receive exactly one join notice for it.'),
  r('JOIN-2', 'MUST', "The joiner MUST receive its own join notice exactly once where the profile says so (selfJoin), and never otherwise."),
  r('JOIN-3', 'MUST', 'Where the profile defines a welcome notice, the joiner MUST receive it exactly once, and other members MUST NOT receive it.'),
  r('JOIN-4', 'MUST', "A connection MUST become a member the way the profile's joinOn says, and the server MUST tell it the name it is known by where the profile's identity is assigned."),
  r('JOIN-5', 'MUST', 'Where the profile declares a join deadline (joinTimeoutMs) and members join after connecting (login or prompt), a connection that has not become a member within it MUST be closed, and one that became a member within it MUST NOT be closed for it.'),

  // Chat delivery
  r('CHAT-1', 'MUST', 'Each chat line MUST be delivered exactly once to each other member present when it was sent.'),
  r('CHAT-2', 'MUST', 'The sender MUST receive its own chat line exactly once where the profile echoes, and never otherwise.'),
  r('CHAT-3', 'MUST', 'A delivered chat text MUST equal the text sent, byte for byte: not cut, merged with another line, or short of any byte.'),
  r('CHAT-4', 'MUST', 'A chat notice MUST name its sender as the profile says: by the address the server sees, or by the current name.'),
  r('CHAT-5', 'MUST', 'An empty line, or a chat line with empty text, MUST reach every member alike (as one chat notice each, or not at all), and MUST NOT change how the sender’s next line is read or delivered.'),

  // Ordering
  r('ORDER-1', 'MUST', 'Lines from one sender MUST reach each receiver in the order they were sent.'),
  r('ORDER-2', 'SHOULD', 'All members SHOULD see the room events they share (joins, chat lines, leaves) in one total order.'),

  // Leave
  r('LEAVE-1', 'MUST', 'When a member disconnects (FIN or RST), each remaining member MUST receive exactly one leave notice for it.'),
  r('LEAVE-2', 'MUST', 'A member MUST NOT receive any line from a member after that member’s leave notice.'),
  r('LEAVE-3', 'MUST', 'Every line a member sent before closing its connection with FIN MUST be delivered to the remaining members before its leave notice.'),
  r('LEAVE-4', 'MUST', 'Where the profile has a quit command, quit MUST produce the same leave notices as a disconnect, and the server MUST then close the connection.'),
  r('NOTICE-1', 'MUST', 'A leave notice (or idle-leave notice) MUST be about a member that left or that the server disconnects, and a renamed notice about a member that renamed.'),

  // Idle timeout
  r('IDLE-1', 'MUST', 'Where the profile has an idle timeout, a member silent for that long MUST be announced to each remaining member with exactly one idle-leave notice.'),
  r('IDLE-2', 'MUST', 'A member announced as timed out MUST be disconnected, and anything it sends afterwards MUST NOT be relayed.'),
  r('IDLE-3', 'MUST', 'A member that sends a line before its idle timeout expires MUST NOT be timed out at that expiry.'),
  r('IDLE-4', 'MUST', 'A member that sends part of a line and then nothing MUST still be timed out: no earlier than the idle timeout after its last complete line, and no later than the idle timeout after its last byte.'),

  // Disconnect cleanup
  r('CLEANUP-1', 'MUST', 'A member that has left MUST no longer appear in the member list (who, list users).'),
  r('CLEANUP-2', 'MUST', 'After a member leaves, chat among the remaining members MUST keep flowing, exactly once.'),
  r('CLEANUP-3', 'SHOULD', 'After 1,000 connect/disconnect cycles the server SHOULD still serve, with delivery latency within a bound of its latency before them.'),
  r('CLEANUP-4', 'MUST', 'A name released by a leave MUST be available to a new login.', 'nameop.md'),

  // Isolation
  r('ISOLATION-1', 'MUST', 'A member that stops reading MUST NOT delay delivery to the other members beyond the latency bound.'),
  r('ISOLATION-2', 'MUST', 'While a member is not reading, the other members MUST still receive every line exactly once.'),
  r('ISOLATION-3', 'MUST', 'A member the server evicts because it does not read MUST be announced to the remaining members with a leave notice.'),
  r('ISOLATION-4', 'MUST', 'A hostile peer sending garbage or over-long lines MUST NOT change what the other members receive.'),
  r('ISOLATION-5', 'MUST', 'A member that stops reading and is kept in the room MUST receive every line sent meanwhile, exactly once and in order, when it reads again.'),

  // Robustness
  r('ROBUST-1', 'MUST', 'After a long line (256 B, 4 KiB, 64 KiB or 1 MiB), within its maximum line length or beyond it, the server MUST keep serving the other members.'),
  r('ROBUST-2', 'MUST', 'After invalid UTF-8 or binary garbage, the server MUST keep serving the other members.'),
  r('ROBUST-3', 'MUST', 'After a malformed command or frame (no "|", unknown op, bad name, "rename" without "|"), the server MUST keep serving the other members.'),
  r('ROBUST-4', 'MUST', 'After a half-close, a reset (RST), or input of one byte per write, the server MUST keep serving the other members.'),
  r('ROBUST-5', 'MUST', 'After a burst of concurrent connects and disconnects, the server MUST keep serving.'),
  r('ROBUST-6', 'SHOULD', 'A line longer than the maximum SHOULD end the offender’s connection, after an error where the dialect can express one.'),
  r('ROBUST-7', 'MUST', 'A malformed nameop frame MUST be answered with error 400 to its sender only and MUST NOT be relayed.', 'nameop.md'),
  r('ROBUST-8', 'MUST', 'Connections that send nothing, stop in the middle of their first line, or reset before it MUST NOT keep other connections from joining and being served.'),

  // Commands
  r('CMD-1', 'MUST', 'The member list (who, list users) MUST name exactly the current members, each once, and go to the requester only.'),
  r('CMD-2', 'MUST', "rename MUST be acknowledged to the requester only (to every member, once each, where the profile's renameAudience is room, with the old name where the notice carries it), and later notices MUST carry the new name."),
  r('CMD-3', 'MUST', 'A private message MUST reach its target exactly once and no other member.'),
  r('CMD-4', 'MUST', 'A group message MUST reach each member of the group exactly once and no one outside it.'),
  r('CMD-5', 'MUST', 'Joining a group that does not exist MUST create it, and the group list MUST then include it.'),
  r('CMD-6', 'SHOULD', 'A private message to an unknown member SHOULD be answered with an error to the sender only.'),
  r('CMD-7', 'MUST', 'A group message from a member that is not in the group MUST be refused with an error and MUST NOT be relayed.', 'nameop.md'),
  r('CMD-8', 'MUST', "A reply to one member's command (the member list, the group list, an acknowledgement of a profile update or of a rename that the profile's renameAudience gives the requester, an error) MUST reach that member only."),

  // Process and resources
  r('PROC-1', 'MUST', 'Nothing a client sends or does, and no way a client leaves, MUST make the server process exit or its room stop serving.'),
  r('PROC-2', 'MUST', 'Once every member has left, the server MUST NOT keep using CPU: while the room is empty it MUST use at most 10% of one CPU.'),
  r('PROC-3', 'MUST', "A connection's resources MUST be released when it ends: after 1,000 connect/disconnect cycles the server's open file descriptors and threads MUST return to within 16 of their count before, and its resident memory to within 64 MiB plus half of what it was before."),
  r('PROC-4', 'MUST', "A member that does not read MUST NOT make the server's memory grow without bound: while 64 MiB of chat lines are sent to a room with a member that stopped reading, the server's resident memory MUST NOT grow by more than 48 MiB, or by more than what was sent when that is more; and it MUST NOT keep growing: over the second half of the flood it MUST NOT grow by more than half of what that half sent, or 8 MiB when that is more (a bounded queue is full by then; a server that keeps every line for the stopped member grows by all that half sent, since the kernel's socket buffers filled in the first)."),

  // Identity
  r('IDENT-1', 'MUST', 'A login with a name bound to another connection MUST be refused with an error, and the name MUST stay bound to its owner.', 'nameop.md'),
  r('IDENT-2', 'MUST', 'A frame whose Name differs from the name bound to its connection MUST get an error and MUST NOT be relayed.', 'nameop.md'),
  r('IDENT-3', 'MUST', 'Before login, every frame but login and quit MUST be refused with an error and MUST NOT be relayed.', 'nameop.md'),
  r('IDENT-4', 'MUST', 'In a dialect that identifies members by address, the address in notices MUST be the client’s address as the server sees it.'),
  r('IDENT-5', 'MUST', 'A name a member gives itself (at the name prompt, at login or with rename) MUST NOT put a line break or a CR into the lines other members receive: the name ends at the end of its line, and a name holding a CR is refused or has it removed.'),
  r('IDENT-6', 'SHOULD', 'A name holding another control character (U+0000 to U+001F, or DEL), or a "|" where the profile\'s notices separate a name from the next field with "|", SHOULD be refused or have those characters removed, never relayed raw in notices.'),
];

const byId = new Map(requirements.map((req) => [req.id, req]));

export function requirement(id: string): Requirement {
  const req = byId.get(id);
  if (!req) throw new Error(`unknown requirement ID ${id}`);
  return req;
}

export function sectionOf(id: string): Section {
  return id.slice(0, id.indexOf('-')) as Section;
}
