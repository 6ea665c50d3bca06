// The spec's Markdown and the requirement registry must state the same
// requirements: same IDs, levels, texts and files. This test parses
// spec/core.md, spec/line.md and spec/nameop.md and lists every difference.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { packagePath } from '../src/paths.js';
import { requirements, type Level, type Requirement, type Section } from '../src/spec/requirements.js';

type SpecDoc = Requirement['doc'];

const specDocs = ['core.md', 'line.md', 'nameop.md'] as const satisfies readonly SpecDoc[];
const levels = ['MUST', 'SHOULD', 'MAY'] as const satisfies readonly Level[];
const sections = [
  'FRAME',
  'JOIN',
  'CHAT',
  'LEAVE',
  'CLEANUP',
  'ISOLATION',
  'ROBUST',
  'CMD',
  'IDENT',
  'IDLE',
  'ORDER',
  'PROC',
  'NOTICE',
] as const satisfies readonly Section[];

// Compile-time guards: a Section or a doc added to the registry's types
// without being added here fails the build instead of passing silently.
type UnlistedSection = Exclude<Section, (typeof sections)[number]>;
type UnlistedDoc = Exclude<SpecDoc, (typeof specDocs)[number]>;
const allSectionsListed: [UnlistedSection] extends [never] ? true : UnlistedSection = true;
const allDocsListed: [UnlistedDoc] extends [never] ? true : UnlistedDoc = true;
void allSectionsListed;
void allDocsListed;

/** One requirement as a Markdown file states it. */
interface StatedRequirement {
  readonly id: string;
  readonly level: string;
  readonly text: string;
  readonly doc: SpecDoc;
  /** 1-based line number in the Markdown file. */
  readonly line: number;
}

interface ParsedDoc {
  readonly stated: StatedRequirement[];
  /** Lines that look like requirement items but are not in the one accepted form. */
  readonly problems: string[];
}

// The one accepted form: `- **ID** (LEVEL) TEXT`, on one line, not indented.
const REQUIREMENT_ITEM = /^- \*\*([^*]+)\*\* \(([^)]*)\) (.*)$/;
// Anything a reader would take for a requirement item: a list item that opens
// with a bold ID-like word, at any indent, with any list marker.
const LOOKS_LIKE_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+\*\*\s*[A-Za-z]+-\w*\s*\*\*/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const WELL_FORMED_ID = /^([A-Z]+)-([1-9][0-9]*)$/;

const where = (doc: SpecDoc, line: number): string => `spec/${doc}:${line}`;

function parseRequirementItems(markdown: string, doc: SpecDoc): ParsedDoc {
  const stated: StatedRequirement[] = [];
  const problems: string[] = [];
  const lines = markdown.split(/\r?\n/);
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const fenceMark = FENCE.exec(text)?.[1];
    if (fenceMark !== undefined) {
      // Examples inside code blocks are not requirements.
      if (fence === undefined) fence = fenceMark;
      else if (fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;

    const item = REQUIREMENT_ITEM.exec(text);
    if (!item) {
      if (LOOKS_LIKE_ITEM.test(text))
        problems.push(`${where(doc, i + 1)}: looks like a requirement but is not "- **ID** (LEVEL) TEXT": ${text}`);
      continue;
    }
    stated.push({ id: item[1]!, level: item[2]!, text: item[3]!, doc, line: i + 1 });
    // A lazy continuation line would make the rendered requirement longer than the text parsed here.
    const next = lines[i + 1];
    if (next !== undefined && next.trim() !== '' && !LIST_ITEM.test(next))
      problems.push(`${where(doc, i + 1)}: ${item[1]} continues on the next line; a requirement must be one line`);
  }
  if (fence !== undefined) problems.push(`spec/${doc}: a code block opened with ${fence} is never closed`);
  return { stated, problems };
}

/** Problems with the registry on its own: malformed or repeated IDs, a level its text does not use. */
function checkRegistry(registry: readonly Requirement[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  registry.forEach((req, index) => {
    const match = WELL_FORMED_ID.exec(req.id);
    if (!match) problems.push(`${JSON.stringify(req.id)}: not a well-formed ID (PREFIX-N, N from 1, no leading zero)`);
    else if (!(sections as readonly string[]).includes(match[1]!))
      problems.push(`${req.id}: unknown section prefix ${match[1]} (known: ${sections.join(', ')})`);
    const first = seen.get(req.id);
    if (first !== undefined) problems.push(`${req.id}: in the registry twice (entries ${first + 1} and ${index + 1})`);
    else seen.set(req.id, index);
    if (!(levels as readonly string[]).includes(req.level)) problems.push(`${req.id}: unknown level ${req.level}`);
    else if (!req.text.includes(req.level)) problems.push(`${req.id}: level ${req.level} but its text never says ${req.level}`);
    if (!(specDocs as readonly string[]).includes(req.doc)) problems.push(`${req.id}: unknown doc ${req.doc}`);
  });
  return problems;
}

function describeCodePoint(ch: string | undefined): string {
  if (ch === undefined) return 'end of text';
  return `${JSON.stringify(ch)} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
}

/** Where two texts first differ, with the code points there (so ’ and ' are told apart). */
function textDifference(stated: string, registered: string): string {
  let at = 0;
  while (at < stated.length && at < registered.length && stated[at] === registered[at]) at++;
  const context = (s: string): string => JSON.stringify(s.slice(Math.max(0, at - 20), at + 20));
  return (
    `at character ${at + 1}: Markdown has ${describeCodePoint(stated[at])} in ${context(stated)}, ` +
    `the registry has ${describeCodePoint(registered[at])} in ${context(registered)}`
  );
}

/** Every difference between what the Markdown states and what the registry holds. */
function compareWithRegistry(registry: readonly Requirement[], stated: readonly StatedRequirement[]): string[] {
  const problems: string[] = [];
  const byId = new Map<string, StatedRequirement[]>();
  for (const s of stated) byId.set(s.id, [...(byId.get(s.id) ?? []), s]);
  const registered = new Map(registry.map((req) => [req.id, req]));

  for (const s of stated) {
    if (!WELL_FORMED_ID.test(s.id)) problems.push(`${where(s.doc, s.line)}: ${JSON.stringify(s.id)} is not a well-formed ID`);
    if (!registered.has(s.id)) problems.push(`${s.id}: stated in ${where(s.doc, s.line)} but not in the registry`);
  }
  for (const req of registry) {
    const found = byId.get(req.id) ?? [];
    if (found.length === 0) {
      problems.push(`${req.id}: in the registry (doc ${req.doc}) but stated in no Markdown file`);
      continue;
    }
    if (found.length > 1)
      problems.push(`${req.id}: stated ${found.length} times: ${found.map((s) => where(s.doc, s.line)).join(', ')}`);
    for (const s of found) {
      const at = where(s.doc, s.line);
      if (s.doc !== req.doc) problems.push(`${req.id}: stated in ${at} but the registry puts it in ${req.doc}`);
      if (s.level !== req.level) problems.push(`${req.id}: ${at} says (${s.level}), the registry says (${req.level})`);
      if (s.text !== req.text) problems.push(`${req.id}: text in ${at} differs ${textDifference(s.text, req.text)}`);
    }
  }
  return problems;
}

function readSpec(doc: SpecDoc): ParsedDoc {
  let markdown: string;
  try {
    markdown = readFileSync(packagePath('spec', doc), 'utf8');
  } catch (error) {
    return { stated: [], problems: [`spec/${doc}: cannot read it (${(error as Error).message})`] };
  }
  return parseRequirementItems(markdown, doc);
}

const failWith = (problems: readonly string[], what: string): void => {
  if (problems.length > 0) assert.fail(`${problems.length} ${what}:\n  ${problems.join('\n  ')}`);
};

describe('requirement registry and spec Markdown', () => {
  test('registry IDs are well-formed, known, unique, and each text uses its level', () => {
    failWith(checkRegistry(requirements), 'registry problem(s)');
  });

  test('every requirement is stated exactly once, in its file, with its level and text', () => {
    const parsed = specDocs.map(readSpec);
    const stated = parsed.flatMap((p) => p.stated);
    failWith(
      [...parsed.flatMap((p) => p.problems), ...compareWithRegistry(requirements, stated)],
      'difference(s) between spec/*.md and src/spec/requirements.ts',
    );
  });

  test('spec/README.md names every section prefix', () => {
    const readme = readFileSync(packagePath('spec', 'README.md'), 'utf8');
    const missing = sections.filter((prefix) => !new RegExp(`^\\|\\s*${prefix}\\s*\\|`, 'm').test(readme));
    failWith(
      missing.map((prefix) => `${prefix}: no row "| ${prefix} | ..." in spec/README.md`),
      'section(s) missing from the index',
    );
  });
});

// The checker itself must catch each kind of difference, or the test above could pass on a broken spec.
describe('the spec checker', () => {
  const req = (id: string, level: Level, text: string, doc: SpecDoc = 'core.md'): Requirement => ({ id, level, text, doc });
  const registry = [
    req('CHAT-1', 'MUST', 'Lines MUST arrive.'),
    req('CHAT-2', 'SHOULD', 'Echo SHOULD happen.'),
    req('FRAME-1', 'MUST', 'Lines MUST end with LF.', 'line.md'),
  ];
  const item = (id: string, level: string, text: string): string => `- **${id}** (${level}) ${text}`;
  const check = (docs: Partial<Record<SpecDoc, string>>): string[] => {
    const parsed = specDocs.filter((d) => docs[d] !== undefined).map((d) => parseRequirementItems(docs[d]!, d));
    return [
      ...parsed.flatMap((p) => p.problems),
      ...compareWithRegistry(
        registry,
        parsed.flatMap((p) => p.stated),
      ),
    ];
  };
  const core = [item('CHAT-1', 'MUST', 'Lines MUST arrive.'), '', item('CHAT-2', 'SHOULD', 'Echo SHOULD happen.')].join('\n');
  const line = `# Framing\n\n${item('FRAME-1', 'MUST', 'Lines MUST end with LF.')}\n  - Checked by: a test.\n`;

  test('accepts a spec that states the registry exactly', () => {
    assert.deepEqual(check({ 'core.md': core, 'line.md': line }), []);
  });

  test('a requirement stated nowhere', () => {
    const problems = check({ 'core.md': core, 'line.md': '# Framing\n' });
    assert.deepEqual(problems, ['FRAME-1: in the registry (doc line.md) but stated in no Markdown file']);
  });

  test('a requirement not in the registry', () => {
    const problems = check({ 'core.md': `${core}\n\n${item('CHAT-9', 'MUST', 'Nope MUST.')}`, 'line.md': line });
    assert.deepEqual(problems, ['CHAT-9: stated in spec/core.md:5 but not in the registry']);
  });

  test('a requirement stated twice', () => {
    const problems = check({ 'core.md': `${core}\n\n${item('CHAT-1', 'MUST', 'Lines MUST arrive.')}`, 'line.md': line });
    assert.deepEqual(problems, ['CHAT-1: stated 2 times: spec/core.md:1, spec/core.md:5']);
  });

  test('a requirement in the wrong file', () => {
    const problems = check({ 'core.md': `${core}\n\n${item('FRAME-1', 'MUST', 'Lines MUST end with LF.')}`, 'line.md': '' });
    assert.deepEqual(problems, ['FRAME-1: stated in spec/core.md:5 but the registry puts it in line.md']);
  });

  test('a different level', () => {
    const problems = check({ 'core.md': core.replace('(SHOULD)', '(MUST)'), 'line.md': line });
    assert.deepEqual(problems, ['CHAT-2: spec/core.md:3 says (MUST), the registry says (SHOULD)']);
  });

  test('a different text, down to one apostrophe', () => {
    const reg = [req('LEAVE-2', 'MUST', 'A member’s line MUST stop.')];
    const parsed = parseRequirementItems(item('LEAVE-2', 'MUST', "A member's line MUST stop."), 'core.md');
    const problems = compareWithRegistry(reg, parsed.stated);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^LEAVE-2: text in spec\/core\.md:1 differs at character 9: Markdown has "'" \(U\+0027\)/);
    assert.match(problems[0]!, /the registry has "’" \(U\+2019\)/);
  });

  test('text that runs on into the next line', () => {
    const problems = check({ 'core.md': core.replace('arrive.', 'arrive.\nand more'), 'line.md': line });
    assert.deepEqual(problems, ['spec/core.md:1: CHAT-1 continues on the next line; a requirement must be one line']);
  });

  test('an item that is almost in the accepted form', () => {
    const problems = check({ 'core.md': core.replace('- **CHAT-2** (SHOULD)', '* **CHAT-2** (SHOULD)'), 'line.md': line });
    assert.deepEqual(problems, [
      'spec/core.md:3: looks like a requirement but is not "- **ID** (LEVEL) TEXT": * **CHAT-2** (SHOULD) Echo SHOULD happen.',
      'CHAT-2: in the registry (doc core.md) but stated in no Markdown file',
    ]);
  });

  test('items inside code blocks are examples, not requirements', () => {
    const fenced = `${core}\n\n\`\`\`markdown\n${item('CHAT-1', 'MUST', 'Lines MUST arrive.')}\n\`\`\`\n`;
    assert.deepEqual(check({ 'core.md': fenced, 'line.md': line }), []);
    assert.deepEqual(check({ 'core.md': `${core}\n\n~~~\nopen`, 'line.md': line }), [
      'spec/core.md: a code block opened with ~~~ is never closed',
    ]);
  });

  test('registry: malformed, unknown-prefix and repeated IDs, and a level its text lacks', () => {
    assert.deepEqual(checkRegistry(registry), []);
    const problems = checkRegistry([
      req('CHAT-01', 'MUST', 'x MUST'),
      req('TYPO-1', 'MUST', 'x MUST'),
      req('CHAT-1', 'MUST', 'x MUST'),
      req('CHAT-1', 'SHOULD', 'x MUST'),
    ]);
    assert.deepEqual(problems, [
      '"CHAT-01": not a well-formed ID (PREFIX-N, N from 1, no leading zero)',
      'TYPO-1: unknown section prefix TYPO (known: FRAME, JOIN, CHAT, LEAVE, CLEANUP, ISOLATION, ROBUST, CMD, IDENT, IDLE, ORDER, PROC, NOTICE)',
      'CHAT-1: in the registry twice (entries 3 and 4)',
      'CHAT-1: level SHOULD but its text never says SHOULD',
    ]);
  });
});
