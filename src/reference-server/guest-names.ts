// Names this server assigns at connect where the profile's identity is
// "assigned": guest1, guest2, ... or the first form the profile's name
// pattern accepts.
import type { Dialect } from '../profile/index.js';

const forms: readonly ((n: number) => string)[] = [(n) => `guest${n}`, (n) => `Guest${n}`, (n) => `g${n}`, (n) => `user${n}`, (n) => `${n}`, (n) => `G${n}`];

export class GuestNames {
  private n = 0;
  private readonly form: (n: number) => string;

  constructor(dialect: Dialect) {
    const pattern = dialect.patterns.name;
    // Checked on a few numbers: a pattern may limit length or digits.
    const form = forms.find((f) => [1, 99, 12345].every((n) => pattern.test(f(n))));
    this.form = form ?? forms[0]!;
  }

  /** Whether the profile's name pattern accepts the names this server assigns. */
  static fits(dialect: Dialect): boolean {
    return forms.some((f) => [1, 99, 12345].every((n) => dialect.patterns.name.test(f(n))));
  }

  next(): string {
    this.n += 1;
    return this.form(this.n);
  }
}
