import { scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { hash as argon2Hash, parseOptions, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';

/** Argon2id's cost: memory in KiB, passes, lanes. */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * OWASP's recommended Argon2id baseline: 19 MiB of memory, 2 passes, 1 lane
 * (about 50 ms per hash on one core of a small server). Raising any of these
 * rehashes each password at its owner's next successful login.
 */
export const ARGON2_PARAMS: Readonly<Argon2Params> = { memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 };

/** `Algorithm.Argon2id` (the package declares it as a const enum, which isolated modules can't read). */
const ARGON2ID = 2 as Algorithm;

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );

/** A hash from before Argon2id: `scrypt$N$r$p$salt$hash` (base64). Still verified; replaced at the next login. */
async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  try {
    const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: 64 * 1024 * 1024,
    });
    return key.length === expected.length && timingSafeEqual(key, expected);
  } catch {
    return false; // parameters scrypt refuses: not a hash we wrote
  }
}

/**
 * Password hashes: Argon2id in its standard PHC form
 * (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`, salt of 16 random bytes).
 * Passwords are NFKC-normalised first, so the same password typed on
 * another keyboard matches.
 */
export class PasswordHasher {
  private dummy?: Promise<string>;

  constructor(readonly params: Readonly<Argon2Params> = ARGON2_PARAMS) {}

  hash(password: string): Promise<string> {
    return argon2Hash(password.normalize('NFKC'), { algorithm: ARGON2ID, ...this.params });
  }

  /** Whether `password` matches a stored hash (Argon2id, or a legacy scrypt one). */
  async verify(password: string, stored: string): Promise<boolean> {
    const normalised = password.normalize('NFKC');
    if (stored.startsWith('$argon2')) {
      try {
        return await argon2Verify(stored, normalised);
      } catch {
        return false; // a malformed hash
      }
    }
    if (stored.startsWith('scrypt$')) return verifyScrypt(normalised, stored);
    return false;
  }

  /**
   * The work of a verification that can't succeed, for a login whose email
   * is unknown: it costs what a wrong password costs, so the answer's timing
   * doesn't tell which emails are registered.
   */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.hash('not-a-real-password');
    await this.verify(password, await this.dummy);
    return false;
  }

  /** True for a hash that isn't Argon2id with the current parameters (a scrypt one, weaker or stronger settings). */
  needsRehash(stored: string): boolean {
    if (!stored.startsWith('$argon2id$')) return true;
    try {
      const used = parseOptions(stored);
      return (
        used.memoryCost !== this.params.memoryCost ||
        used.timeCost !== this.params.timeCost ||
        used.parallelism !== this.params.parallelism
      );
    } catch {
      return true;
    }
  }
}

/** The service's hasher, with the parameters above. */
export const passwords = new PasswordHasher();

export const hashPassword = (password: string): Promise<string> => passwords.hash(password);
export const verifyPassword = (password: string, stored: string): Promise<boolean> => passwords.verify(password, stored);
