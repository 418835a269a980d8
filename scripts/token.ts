/**
 * `npm run token -- --user <id> [--roles ROLE_USER[,ROLE_SHOPPING_ADMIN]] [--ttl <seconds>]`
 * prints an access token signed with the service's own key (JWT_SECRET or
 * JWT_PRIVATE_KEY from the environment, the local default otherwise).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { ROLES, TokenService, type Role } from '../src/platform/http/auth';

const USAGE = `usage: npm run token -- --user <id> [--roles ROLE_USER[,ROLE_SHOPPING_ADMIN]] [--ttl <seconds>]

  --user   the token's subject (user id), e.g. 00000000-0000-0000-0000-000000000001
  --roles  comma-separated, from ${ROLES.join(', ')} (default ROLE_USER)
  --ttl    lifetime in seconds (default ACCESS_TOKEN_TTL_S, 3600)`;

function usage(problem?: string): never {
  if (problem) console.error(`token: ${problem}\n`);
  console.error(USAGE);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { user?: string; roles?: string; ttl?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        user: { type: 'string', short: 'u' },
        roles: { type: 'string', short: 'r' },
        ttl: { type: 'string', short: 't' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  if (values.help) usage();
  const user = values.user?.trim();
  if (!user) usage('--user is required');

  const roles = (values.roles ?? 'ROLE_USER').split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0) {
    usage(`unknown role(s): ${unknown.join(', ') || '(none given)'}; allowed: ${ROLES.join(', ')}`);
  }

  let ttl: number | undefined;
  if (values.ttl !== undefined) {
    ttl = Number(values.ttl);
    if (!Number.isInteger(ttl) || ttl < 1) usage(`--ttl must be a positive whole number of seconds, got "${values.ttl}"`);
  }

  const tokens = await TokenService.create(loadConfig());
  console.log(await tokens.sign({ userId: user, roles: roles as Role[] }, ttl));
}

main().catch((err) => {
  console.error(`token: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
