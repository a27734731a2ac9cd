// NATS decentralised auth material for tests: an operator, one account and users as
// NKey pairs, their JWTs (header {"typ":"JWT","alg":"ed25519-nkey"}, claims signed by the
// issuer's NKey: operator signs accounts, account signs users) and `.creds` files, so a
// real nats-server in operator mode (memory resolver) can check a client's creds file.
// What `nsc` would make; `nsc` is not packaged here.
import { createHash } from 'node:crypto';
import { nkeys } from 'nats';

type KeyPair = ReturnType<typeof nkeys.createOperator>;

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

function sign(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const claims: Record<string, unknown> = { iat: Math.floor(Date.now() / 1000), iss: text(issuer.getPublicKey()), name, sub: subject, nats };
  // jti: a unique id per JWT; nsc uses a hash of the claims
  claims.jti = createHash('sha256').update(JSON.stringify(claims)).digest('base64url');
  const body = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }))}.${b64url(JSON.stringify(claims))}`;
  return `${body}.${b64url(issuer.sign(new TextEncoder().encode(body)))}`;
}

export interface NatsOperatorSetup {
  operatorJwt: string;
  accountPublicKey: string;
  accountJwt: string;
  /** the `auth` option of startNats for this setup */
  auth: { operatorJwt: string; accounts: Record<string, string> };
  /** the text of a .creds file of a new user of the account, signed by `signer` (default: the account) */
  userCreds(name: string, signer?: 'account' | 'stranger'): string;
}

export function natsOperatorSetup(): NatsOperatorSetup {
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const stranger = nkeys.createAccount();
  const accountPublicKey = text(account.getPublicKey());
  const operatorJwt = sign(operator, text(operator.getPublicKey()), 'test-operator', { type: 'operator', version: 2 });
  const accountJwt = sign(operator, accountPublicKey, 'test-account', {
    type: 'account', version: 2,
    limits: { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 },
    default_permissions: { pub: {}, sub: {} },
  });
  return {
    operatorJwt, accountPublicKey, accountJwt,
    auth: { operatorJwt, accounts: { [accountPublicKey]: accountJwt } },
    userCreds(name, signer = 'account') {
      const user = nkeys.createUser();
      const jwt = sign(signer === 'account' ? account : stranger, text(user.getPublicKey()), name, {
        type: 'user', version: 2, pub: {}, sub: {}, subs: -1, data: -1, payload: -1,
      });
      return [
        '-----BEGIN NATS USER JWT-----', jwt, '------END NATS USER JWT------', '',
        '************************* IMPORTANT *************************',
        'NKEY Seed printed below can be used to sign and prove identity.', '',
        '-----BEGIN USER NKEY SEED-----', text(user.getSeed()), '------END USER NKEY SEED------', '',
      ].join('\n');
    },
  };
}
